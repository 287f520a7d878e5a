savedcmd_/work/main/drivers/vhost_vfio/vhost_vfio.o := ld -m elf_x86_64 -z noexecstack --no-warn-rwx-segments   -r -o /work/main/drivers/vhost_vfio/vhost_vfio.o @/work/main/drivers/vhost_vfio/vhost_vfio.mod  ; ./tools/objtool/objtool --hacks=jump_label --hacks=noinstr --hacks=skylake --ibt --orc --retpoline --rethunk --static-call --uaccess --prefix=16  --link  --module /work/main/drivers/vhost_vfio/vhost_vfio.o

/work/main/drivers/vhost_vfio/vhost_vfio.o: $(wildcard ./tools/objtool/objtool)
