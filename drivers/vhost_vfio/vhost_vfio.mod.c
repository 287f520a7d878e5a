#include <linux/module.h>
#include <linux/export-internal.h>
#include <linux/compiler.h>

MODULE_INFO(name, KBUILD_MODNAME);

__visible struct module __this_module
__section(".gnu.linkonce.this_module") = {
	.name = KBUILD_MODNAME,
	.init = init_module,
#ifdef CONFIG_MODULE_UNLOAD
	.exit = cleanup_module,
#endif
	.arch = MODULE_ARCH_INIT,
};

KSYMTAB_FUNC(vhost_vfio_offered_features, "_gpl", "");
KSYMTAB_FUNC(vhost_vfio_check_mask, "_gpl", "");
KSYMTAB_FUNC(vhost_vfio_check_features, "_gpl", "");
KSYMTAB_FUNC(vhost_vfio_check_range, "_gpl", "");
KSYMTAB_FUNC(vhost_vfio_check_update, "_gpl", "");
KSYMTAB_FUNC(vhost_vfio_pfn_run, "_gpl", "");
KSYMTAB_FUNC(vhost_vfio_log_mark, "_gpl", "");

MODULE_INFO(depends, "mdev");

