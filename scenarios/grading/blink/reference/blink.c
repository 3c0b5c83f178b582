// SPDX-License-Identifier: GPL-2.0
/*
 * blink: the reference solution. Writing a half-period in milliseconds (1..1000) to /dev/blink toggles BCM GPIO17
 * through the BCM2835 GPIO registers; writing 0 stops with the pin low; reading returns the half-period.
 * An hrtimer keeps the timing: a jiffies timer at HZ=250 would round 10 ms up to 12 ms.
 */
#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>

#define GPIO_BASE 0x3f200000
#define GPIO_SIZE 0xb4
#define GPFSEL1 0x04
#define GPSET0 0x1c
#define GPCLR0 0x28
#define PIN 17
#define FSEL_SHIFT ((PIN % 10) * 3)
#define FSEL_INPUT 0
#define FSEL_OUTPUT 1
#define MAX_HALF_PERIOD_MS 1000

static void __iomem *gpio;
static struct hrtimer timer;
static DEFINE_MUTEX(lock);
static unsigned int half_period_ms;
static bool high;

static void set_function(u32 function)
{
	u32 value = readl(gpio + GPFSEL1);

	value &= ~(7u << FSEL_SHIFT);
	value |= function << FSEL_SHIFT;
	writel(value, gpio + GPFSEL1);
}

static void set_level(bool level)
{
	high = level;
	writel(BIT(PIN), gpio + (level ? GPSET0 : GPCLR0));
}

static enum hrtimer_restart toggle(struct hrtimer *t)
{
	set_level(!high);
	/* Forward from the previous expiry, not from now: no drift. */
	hrtimer_forward(t, hrtimer_get_expires(t), ms_to_ktime(READ_ONCE(half_period_ms)));
	return HRTIMER_RESTART;
}

static ssize_t blink_write(struct file *file, const char __user *buf, size_t count, loff_t *pos)
{
	unsigned int ms;
	int err = kstrtouint_from_user(buf, count, 10, &ms);

	if (err)
		return err;
	if (ms > MAX_HALF_PERIOD_MS)
		return -EINVAL;
	mutex_lock(&lock);
	hrtimer_cancel(&timer);
	WRITE_ONCE(half_period_ms, ms);
	set_level(ms != 0);
	if (ms)
		hrtimer_start(&timer, ms_to_ktime(ms), HRTIMER_MODE_REL);
	mutex_unlock(&lock);
	return count;
}

static ssize_t blink_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	char text[16];
	int len = scnprintf(text, sizeof(text), "%u\n", READ_ONCE(half_period_ms));

	return simple_read_from_buffer(buf, count, pos, text, len);
}

static const struct file_operations blink_fops = {
	.owner = THIS_MODULE,
	.read = blink_read,
	.write = blink_write,
	.llseek = noop_llseek,
};

static struct miscdevice blink_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "blink",
	.fops = &blink_fops,
	.mode = 0666,
};

static int __init blink_init(void)
{
	int err;

	gpio = ioremap(GPIO_BASE, GPIO_SIZE);
	if (!gpio)
		return -ENOMEM;
	hrtimer_init(&timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	timer.function = toggle;
	set_level(false);
	set_function(FSEL_OUTPUT);
	err = misc_register(&blink_device);
	if (err) {
		set_function(FSEL_INPUT);
		iounmap(gpio);
	}
	return err;
}

static void __exit blink_exit(void)
{
	misc_deregister(&blink_device);
	hrtimer_cancel(&timer);
	set_level(false);
	set_function(FSEL_INPUT);
	iounmap(gpio);
}

module_init(blink_init);
module_exit(blink_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Toggles BCM GPIO17 with a half-period written to /dev/blink");
