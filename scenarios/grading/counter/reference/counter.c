// SPDX-License-Identifier: GPL-2.0
/*
 * counter: the reference solution. Requests the GPIO given by the `gpio` parameter (PL061 line 5 on QEMU virt) as an
 * input with a rising-edge interrupt and counts the edges; /sys/kernel/counter/count reads the count, and writing 0
 * resets it.
 */
#include <linux/atomic.h>
#include <linux/gpio.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

static int gpio = -1;
module_param(gpio, int, 0444);
MODULE_PARM_DESC(gpio, "legacy GPIO number of the input to count (PL061 line 5)");

static atomic_t count = ATOMIC_INIT(0);
static int irq;
static struct kobject *counter_dir;

static irqreturn_t on_rising_edge(int irq, void *data)
{
	atomic_inc(&count);
	return IRQ_HANDLED;
}

static ssize_t count_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&count));
}

static ssize_t count_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf, size_t len)
{
	unsigned int value;
	int err = kstrtouint(buf, 10, &value);

	if (err)
		return err;
	if (value != 0)
		return -EINVAL;
	atomic_set(&count, 0);
	return len;
}

static struct kobj_attribute count_attribute = __ATTR(count, 0644, count_show, count_store);

static int __init counter_init(void)
{
	int err;

	if (!gpio_is_valid(gpio))
		return -EINVAL;
	err = gpio_request(gpio, "counter");
	if (err)
		return err;
	err = gpio_direction_input(gpio);
	if (err)
		goto free_gpio;
	irq = gpio_to_irq(gpio);
	if (irq < 0) {
		err = irq;
		goto free_gpio;
	}
	err = request_irq(irq, on_rising_edge, IRQF_TRIGGER_RISING, "counter", NULL);
	if (err)
		goto free_gpio;
	counter_dir = kobject_create_and_add("counter", kernel_kobj);
	if (!counter_dir) {
		err = -ENOMEM;
		goto free_irq;
	}
	err = sysfs_create_file(counter_dir, &count_attribute.attr);
	if (err)
		goto put_dir;
	return 0;

put_dir:
	kobject_put(counter_dir);
free_irq:
	free_irq(irq, NULL);
free_gpio:
	gpio_free(gpio);
	return err;
}

static void __exit counter_exit(void)
{
	kobject_put(counter_dir);
	free_irq(irq, NULL);
	gpio_free(gpio);
}

module_init(counter_init);
module_exit(counter_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Counts rising edges on a GPIO input");
