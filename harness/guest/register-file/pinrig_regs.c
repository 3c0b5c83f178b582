// SPDX-License-Identifier: GPL-2.0
/*
 * pinrig_regs: the GPIO controller's MMIO window as a character device, /dev/gpio-regs, whose file offsets are the
 * registers (the Linux twin of the ESXi-on-Arm seed's driver). A read or write of exactly 4 bytes at offset N is one
 * 32-bit readl/writel of the register at N; any other length or an unaligned offset is refused with EINVAL, an offset
 * past the window with ENXIO. Nothing is cached or combined: each access reaches the controller as the user made it,
 * read-modify-write included (the user does it, as a driver would, racing nobody but the user's own code).
 *
 * The window comes from the device tree (the first available node of a known GPIO controller) or from the module
 * parameters base= and size=. After loading, /sys/module/pinrig_regs/parameters/{base,size} hold the window in use.
 */
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/uaccess.h>

static unsigned long base;
module_param(base, ulong, 0444);
MODULE_PARM_DESC(base, "physical address of the GPIO block (default: from the device tree)");
static unsigned int size;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "bytes in the window (required with base)");

/* Known controllers and the window each really has. */
static const struct {
	const char *compatible;
	unsigned int window;
} chips[] = {
	{ "brcm,bcm2835-gpio", 0xb4 },
	/* Its device tree node says 0xb4 (the seed saw the same), but the block goes on to GPIO_PUP_PDN_CNTRL_REG3 at 0xf0. */
	{ "brcm,bcm2711-gpio", 0xf4 },
	{ "arm,pl061", 0x1000 },
};

static void __iomem *regs;
static const char *found = "module parameters";

/* EINVAL for what is not one aligned 32-bit access, ENXIO for an offset past the window. */
static int check_access(loff_t pos, size_t count)
{
	if (count != 4 || (pos & 3))
		return -EINVAL;
	if (pos < 0 || pos > (loff_t)size - 4)
		return -ENXIO;
	return 0;
}

static ssize_t regs_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	u32 value;
	int err = check_access(*ppos, count);

	if (err)
		return err;
	value = readl(regs + *ppos);
	if (copy_to_user(buf, &value, 4))
		return -EFAULT;
	*ppos += 4;
	return 4;
}

static ssize_t regs_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	u32 value;
	int err = check_access(*ppos, count);

	if (err)
		return err;
	if (copy_from_user(&value, buf, 4))
		return -EFAULT;
	writel(value, regs + *ppos);
	*ppos += 4;
	return 4;
}

/*
 * Any offset may be sought: the access there says what is wrong with it. (A refused seek would make busybox dd read
 * its way to the offset instead, touching registers nobody asked for.) SEEK_END is the end of the window.
 */
static loff_t regs_llseek(struct file *file, loff_t offset, int whence)
{
	return generic_file_llseek_size(file, offset, whence, MAX_LFS_FILESIZE, size);
}

static const struct file_operations regs_fops = {
	.owner = THIS_MODULE,
	.read = regs_read,
	.write = regs_write,
	.llseek = regs_llseek,
};

static struct miscdevice regs_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "gpio-regs",
	.fops = &regs_fops,
	.mode = 0600,
};

static int find_window(void)
{
	struct device_node *np;
	struct resource res;
	unsigned int i;
	int err;

	if (base) {
		if (!size || (base & 3) || (size & 3)) {
			pr_err("pinrig_regs: base=0x%lx size=0x%x: give a 4-byte aligned base and size together\n", base, size);
			return -EINVAL;
		}
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(chips); i++) {
		np = of_find_compatible_node(NULL, NULL, chips[i].compatible);
		if (np && !of_device_is_available(np)) {
			of_node_put(np);
			np = NULL;
		}
		if (!np)
			continue;
		err = of_address_to_resource(np, 0, &res);
		of_node_put(np);
		if (err)
			return err;
		base = res.start;
		size = max_t(resource_size_t, resource_size(&res), chips[i].window);
		found = chips[i].compatible;
		return 0;
	}
	pr_err("pinrig_regs: no known GPIO controller in the device tree; give base= and size=\n");
	return -ENODEV;
}

static int __init regs_init(void)
{
	int err = find_window();

	if (err)
		return err;
	/*
	 * No request_mem_region(): the kernel's own GPIO driver (pinctrl-bcm2835, gpio-pl061) already claims this region,
	 * so a request would fail. Mapping it a second time is the point: the test reaches the very registers that
	 * driver uses, as the seed's driver did.
	 */
	regs = ioremap(base, size);
	if (!regs)
		return -ENOMEM;
	err = misc_register(&regs_device);
	if (err) {
		iounmap(regs);
		return err;
	}
	pr_info("pinrig_regs: /dev/gpio-regs is %s at 0x%lx, 0x%x bytes\n", found, base, size);
	return 0;
}

static void __exit regs_exit(void)
{
	misc_deregister(&regs_device);
	iounmap(regs);
}

module_init(regs_init);
module_exit(regs_exit);
MODULE_DESCRIPTION("The GPIO controller's registers as a file whose offsets are the registers");
MODULE_LICENSE("GPL");
