// SPDX-License-Identifier: GPL-2.0
/*
 * pushbutton: the reference solution. A push button on the GPIO given by the `gpio` parameter (PL061 line 5 on QEMU
 * virt) reads high while pressed, and its contact bounces for up to 2 ms on each press and release. Every edge
 * restarts a 10 ms timer; when it expires the line has been still for 10 ms, so its level is the button's state, and
 * a new high is one press. Reading /dev/pushbutton gives the number of presses.
 */
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/gpio.h>
#include <linux/gpio/consumer.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/timer.h>

/* Longer than any bounce (2 ms), shorter than any press or release (20 ms). */
#define SETTLE_MS 10

static int gpio = -1;
module_param(gpio, int, 0444);
MODULE_PARM_DESC(gpio, "legacy GPIO number of the button (PL061 line 5)");

static struct gpio_desc *button;
static int irq;
static struct timer_list settle;
/* The debounced state; only the timer touches it. */
static bool pressed;
static atomic_t presses = ATOMIC_INIT(0);

static void on_settled(struct timer_list *timer)
{
	bool level = gpiod_get_value(button);

	if (level && !pressed)
		atomic_inc(&presses);
	pressed = level;
}

static irqreturn_t on_edge(int irq, void *data)
{
	mod_timer(&settle, jiffies + msecs_to_jiffies(SETTLE_MS));
	return IRQ_HANDLED;
}

static ssize_t pushbutton_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	char text[16];
	int n = scnprintf(text, sizeof(text), "%d\n", atomic_read(&presses));

	return simple_read_from_buffer(buf, len, pos, text, n);
}

static const struct file_operations pushbutton_fops = {
	.owner = THIS_MODULE,
	.read = pushbutton_read,
	.llseek = default_llseek,
};

static struct miscdevice pushbutton_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pushbutton",
	.fops = &pushbutton_fops,
	.mode = 0444,
};

static int __init pushbutton_init(void)
{
	int err;

	if (!gpio_is_valid(gpio))
		return -EINVAL;
	err = gpio_request(gpio, "pushbutton");
	if (err)
		return err;
	err = gpio_direction_input(gpio);
	if (err)
		goto free_gpio;
	button = gpio_to_desc(gpio);
	pressed = gpiod_get_value(button);
	irq = gpiod_to_irq(button);
	if (irq < 0) {
		err = irq;
		goto free_gpio;
	}
	timer_setup(&settle, on_settled, 0);
	err = request_irq(irq, on_edge, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING, "pushbutton", NULL);
	if (err)
		goto free_gpio;
	err = misc_register(&pushbutton_device);
	if (err)
		goto free_irq;
	return 0;

free_irq:
	free_irq(irq, NULL);
	del_timer_sync(&settle);
free_gpio:
	gpio_free(gpio);
	return err;
}

static void __exit pushbutton_exit(void)
{
	misc_deregister(&pushbutton_device);
	free_irq(irq, NULL);
	/* After free_irq: no edge can restart it now. */
	del_timer_sync(&settle);
	gpio_free(gpio);
}

module_init(pushbutton_init);
module_exit(pushbutton_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Counts presses of a bouncing push button");
