/work/main/drivers/vhost_vfio/main.o
/work/main/drivers/vhost_vfio/vfio.o
/work/main/drivers/vhost_vfio/vhost.o
/work/main/drivers/vhost_vfio/iotlb.o
/work/main/drivers/vhost_vfio/logic.o
