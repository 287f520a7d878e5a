/work/main/drivers/vhost_vfio/tests/vhost_vfio_kunit.o
