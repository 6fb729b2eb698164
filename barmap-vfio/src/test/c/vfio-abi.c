/*
 * Prints the VFIO ABI facts barmap-vfio's descriptor classes encode (request numbers, struct sizes
 * and field offsets, flag and errno values) as key=value lines, from the C headers of the build
 * machine. Regenerate the test resource with:
 *   gcc -o /tmp/vfio-abi vfio-abi.c && /tmp/vfio-abi > ../resources/dev/barmap/vfio/vfio-abi.properties
 * VfioAbiTest compares the Java constants with the committed file, and with a fresh run of this
 * program when gcc and linux/vfio.h are present.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <poll.h>
#include <unistd.h>
#include <linux/vfio.h>

#define P(name, v) printf("%s=%lld\n", name, (long long)(v))
#define OFF(s, f) P(#s "." #f, offsetof(struct s, f))
#define SZ(s) P(#s ".sizeof", sizeof(struct s))

int main(void)
{
	P("VFIO_API_VERSION", VFIO_API_VERSION);
	P("VFIO_TYPE1_IOMMU", VFIO_TYPE1_IOMMU);
	P("VFIO_TYPE1v2_IOMMU", VFIO_TYPE1v2_IOMMU);
	P("VFIO_NOIOMMU_IOMMU", VFIO_NOIOMMU_IOMMU);
	P("VFIO_GET_API_VERSION", VFIO_GET_API_VERSION);
	P("VFIO_CHECK_EXTENSION", VFIO_CHECK_EXTENSION);
	P("VFIO_SET_IOMMU", VFIO_SET_IOMMU);
	P("VFIO_GROUP_GET_STATUS", VFIO_GROUP_GET_STATUS);
	P("VFIO_GROUP_SET_CONTAINER", VFIO_GROUP_SET_CONTAINER);
	P("VFIO_GROUP_UNSET_CONTAINER", VFIO_GROUP_UNSET_CONTAINER);
	P("VFIO_GROUP_GET_DEVICE_FD", VFIO_GROUP_GET_DEVICE_FD);
	P("VFIO_DEVICE_GET_INFO", VFIO_DEVICE_GET_INFO);
	P("VFIO_DEVICE_GET_REGION_INFO", VFIO_DEVICE_GET_REGION_INFO);
	P("VFIO_DEVICE_GET_IRQ_INFO", VFIO_DEVICE_GET_IRQ_INFO);
	P("VFIO_DEVICE_RESET", VFIO_DEVICE_RESET);
	P("VFIO_DEVICE_SET_IRQS", VFIO_DEVICE_SET_IRQS);
	P("VFIO_IOMMU_GET_INFO", VFIO_IOMMU_GET_INFO);
	P("VFIO_IOMMU_MAP_DMA", VFIO_IOMMU_MAP_DMA);
	P("VFIO_IOMMU_UNMAP_DMA", VFIO_IOMMU_UNMAP_DMA);
	P("VFIO_IRQ_SET_DATA_NONE", VFIO_IRQ_SET_DATA_NONE);
	P("VFIO_IRQ_SET_DATA_BOOL", VFIO_IRQ_SET_DATA_BOOL);
	P("VFIO_IRQ_SET_DATA_EVENTFD", VFIO_IRQ_SET_DATA_EVENTFD);
	P("VFIO_IRQ_SET_ACTION_MASK", VFIO_IRQ_SET_ACTION_MASK);
	P("VFIO_IRQ_SET_ACTION_UNMASK", VFIO_IRQ_SET_ACTION_UNMASK);
	P("VFIO_IRQ_SET_ACTION_TRIGGER", VFIO_IRQ_SET_ACTION_TRIGGER);
	P("VFIO_IOMMU_INFO_PGSIZES", VFIO_IOMMU_INFO_PGSIZES);
	P("VFIO_IOMMU_INFO_CAPS", VFIO_IOMMU_INFO_CAPS);
	P("VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE", VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	P("VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL", VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	P("VFIO_DMA_MAP_FLAG_READ", VFIO_DMA_MAP_FLAG_READ);
	P("VFIO_DMA_MAP_FLAG_WRITE", VFIO_DMA_MAP_FLAG_WRITE);
	P("VFIO_PCI_INTX_IRQ_INDEX", VFIO_PCI_INTX_IRQ_INDEX);
	P("VFIO_PCI_MSI_IRQ_INDEX", VFIO_PCI_MSI_IRQ_INDEX);
	P("VFIO_GROUP_FLAGS_VIABLE", VFIO_GROUP_FLAGS_VIABLE);
	P("VFIO_GROUP_FLAGS_CONTAINER_SET", VFIO_GROUP_FLAGS_CONTAINER_SET);
	P("VFIO_DEVICE_FLAGS_RESET", VFIO_DEVICE_FLAGS_RESET);
	P("VFIO_DEVICE_FLAGS_PCI", VFIO_DEVICE_FLAGS_PCI);
	P("VFIO_REGION_INFO_FLAG_READ", VFIO_REGION_INFO_FLAG_READ);
	P("VFIO_REGION_INFO_FLAG_WRITE", VFIO_REGION_INFO_FLAG_WRITE);
	P("VFIO_REGION_INFO_FLAG_MMAP", VFIO_REGION_INFO_FLAG_MMAP);
	P("VFIO_REGION_INFO_FLAG_CAPS", VFIO_REGION_INFO_FLAG_CAPS);
	P("VFIO_REGION_INFO_CAP_SPARSE_MMAP", VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	P("VFIO_REGION_INFO_CAP_TYPE", VFIO_REGION_INFO_CAP_TYPE);
	P("VFIO_REGION_INFO_CAP_MSIX_MAPPABLE", VFIO_REGION_INFO_CAP_MSIX_MAPPABLE);
	P("VFIO_IRQ_INFO_EVENTFD", VFIO_IRQ_INFO_EVENTFD);
	P("VFIO_IRQ_INFO_MASKABLE", VFIO_IRQ_INFO_MASKABLE);
	P("VFIO_IRQ_INFO_AUTOMASKED", VFIO_IRQ_INFO_AUTOMASKED);
	P("VFIO_IRQ_INFO_NORESIZE", VFIO_IRQ_INFO_NORESIZE);
	P("VFIO_PCI_BAR0_REGION_INDEX", VFIO_PCI_BAR0_REGION_INDEX);
	P("VFIO_PCI_ROM_REGION_INDEX", VFIO_PCI_ROM_REGION_INDEX);
	P("VFIO_PCI_CONFIG_REGION_INDEX", VFIO_PCI_CONFIG_REGION_INDEX);
	P("VFIO_PCI_VGA_REGION_INDEX", VFIO_PCI_VGA_REGION_INDEX);
	P("VFIO_PCI_NUM_REGIONS", VFIO_PCI_NUM_REGIONS);
	P("VFIO_PCI_MSIX_IRQ_INDEX", VFIO_PCI_MSIX_IRQ_INDEX);
	P("VFIO_PCI_NUM_IRQS", VFIO_PCI_NUM_IRQS);
	SZ(vfio_group_status); OFF(vfio_group_status, argsz); OFF(vfio_group_status, flags);
	SZ(vfio_device_info); OFF(vfio_device_info, argsz); OFF(vfio_device_info, flags);
	OFF(vfio_device_info, num_regions); OFF(vfio_device_info, num_irqs); OFF(vfio_device_info, cap_offset);
	SZ(vfio_region_info); OFF(vfio_region_info, argsz); OFF(vfio_region_info, flags); OFF(vfio_region_info, index);
	OFF(vfio_region_info, cap_offset); OFF(vfio_region_info, size); OFF(vfio_region_info, offset);
	SZ(vfio_info_cap_header); OFF(vfio_info_cap_header, id); OFF(vfio_info_cap_header, version); OFF(vfio_info_cap_header, next);
	SZ(vfio_region_info_cap_sparse_mmap); OFF(vfio_region_info_cap_sparse_mmap, nr_areas);
	OFF(vfio_region_info_cap_sparse_mmap, areas);
	SZ(vfio_region_sparse_mmap_area); OFF(vfio_region_sparse_mmap_area, offset); OFF(vfio_region_sparse_mmap_area, size);
	SZ(vfio_region_info_cap_type); OFF(vfio_region_info_cap_type, type); OFF(vfio_region_info_cap_type, subtype);
	SZ(vfio_irq_info); OFF(vfio_irq_info, argsz); OFF(vfio_irq_info, flags); OFF(vfio_irq_info, index); OFF(vfio_irq_info, count);
	SZ(vfio_irq_set); OFF(vfio_irq_set, argsz); OFF(vfio_irq_set, flags); OFF(vfio_irq_set, index);
	OFF(vfio_irq_set, start); OFF(vfio_irq_set, count); OFF(vfio_irq_set, data);
	SZ(vfio_iommu_type1_info); OFF(vfio_iommu_type1_info, argsz); OFF(vfio_iommu_type1_info, flags);
	OFF(vfio_iommu_type1_info, iova_pgsizes); OFF(vfio_iommu_type1_info, cap_offset);
	SZ(vfio_iommu_type1_info_cap_iova_range); OFF(vfio_iommu_type1_info_cap_iova_range, nr_iovas);
	OFF(vfio_iommu_type1_info_cap_iova_range, iova_ranges);
	SZ(vfio_iova_range); OFF(vfio_iova_range, start); OFF(vfio_iova_range, end);
	OFF(vfio_iommu_type1_info_dma_avail, avail);
	SZ(vfio_iommu_type1_dma_map); OFF(vfio_iommu_type1_dma_map, argsz); OFF(vfio_iommu_type1_dma_map, flags);
	OFF(vfio_iommu_type1_dma_map, vaddr); OFF(vfio_iommu_type1_dma_map, iova); OFF(vfio_iommu_type1_dma_map, size);
	SZ(vfio_iommu_type1_dma_unmap); OFF(vfio_iommu_type1_dma_unmap, argsz); OFF(vfio_iommu_type1_dma_unmap, flags);
	OFF(vfio_iommu_type1_dma_unmap, iova); OFF(vfio_iommu_type1_dma_unmap, size);
	P("EFD_CLOEXEC", EFD_CLOEXEC); P("EFD_NONBLOCK", EFD_NONBLOCK); P("POLLIN", POLLIN);
	P("pollfd.sizeof", sizeof(struct pollfd)); P("pollfd.fd", offsetof(struct pollfd, fd));
	P("pollfd.events", offsetof(struct pollfd, events)); P("pollfd.revents", offsetof(struct pollfd, revents));
	P("O_RDWR", O_RDWR); P("O_CLOEXEC", O_CLOEXEC);
	P("PROT_READ", PROT_READ); P("PROT_WRITE", PROT_WRITE);
	P("MAP_SHARED", MAP_SHARED); P("MAP_PRIVATE", MAP_PRIVATE);
	P("_SC_PAGESIZE", _SC_PAGESIZE);
	P("EPERM", EPERM); P("ENOENT", ENOENT); P("EIO", EIO); P("EBADF", EBADF); P("ENOMEM", ENOMEM);
	P("EACCES", EACCES); P("EFAULT", EFAULT); P("EBUSY", EBUSY); P("ENODEV", ENODEV); P("EINVAL", EINVAL);
	P("ENOTTY", ENOTTY); P("ENOSPC", ENOSPC);
	P("EINTR", EINTR); P("EAGAIN", EAGAIN); P("EEXIST", EEXIST);
	return 0;
}
