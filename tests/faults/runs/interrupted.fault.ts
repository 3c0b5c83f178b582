import { test } from '@playwright/test';

test('a test that is running when the run is interrupted', async () => {
  console.log('interrupt me now');
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});

test('a test the interrupted run never reaches', () => {});
