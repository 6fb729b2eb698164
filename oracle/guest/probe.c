/*
 * The oracle's static C probe, for guests where the project's Java binding cannot run (aarch64 here).
 * Copied from the project's reference probe, shared/oracle/recipe/x86_64/probe.c (probe_dev, the tries
 * and their order), unchanged except for this comment; dev.barmap.model.vfio.Probe runs exactly the same
 * tries in the same order, and oracle/arm64/console2capture.py turns this probe's output into the
 * capture's expected/vfio.json (the format oracle2capture.py of the shared recipe reads).
 */
/*
 * vfio-pci region oracle probe.
 * Usage: probe [-k] BDF [BDF...]
 *   Opens every listed device through VFIO (type1 IOMMU if available, else
 *   no-IOMMU), prints VFIO_DEVICE_GET_INFO, every VFIO_DEVICE_GET_REGION_INFO
 *   (incl. capability chain), tries mmap() variants on every region, and prints
 *   the device's sysfs resource file and /proc/iomem while the fds are open.
 *   All devices are kept open until the end, then /proc/iomem is printed again
 *   after closing (to show the dummy resources being released).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#ifndef VFIO_NOIOMMU_IOMMU
#define VFIO_NOIOMMU_IOMMU 8
#endif

static long PG;

static const char *rname(unsigned i)
{
	static const char *n[] = {"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5",
				  "ROM", "CONFIG", "VGA"};
	return i < 9 ? n[i] : "DEVSPEC";
}

static void cat_file(const char *path, const char *prefix, const char *filter)
{
	char line[512];
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("%s<cannot open %s: %s>\n", prefix, path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f))
		if (!filter || strstr(line, filter))
			printf("%s%s", prefix, line);
	fclose(f);
}

static void try_mmap(int fd, const char *what, size_t len, off_t off, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);
	if (p == MAP_FAILED) {
		printf("    mmap %-34s len=0x%zx off=0x%llx -> FAIL errno=%d (%s)\n",
		       what, len, (unsigned long long)off, errno, strerror(errno));
	} else {
		printf("    mmap %-34s len=0x%zx off=0x%llx -> OK\n", what, len,
		       (unsigned long long)off);
		munmap(p, len);
	}
}

static void try_pread(int fd, const char *what, off_t off)
{
	uint32_t v = 0;
	ssize_t r = pread(fd, &v, 4, off);
	if (r < 0)
		printf("    pread4 %-32s off=0x%llx -> FAIL errno=%d (%s)\n", what,
		       (unsigned long long)off, errno, strerror(errno));
	else
		printf("    pread4 %-32s off=0x%llx -> %zd bytes val=0x%08x\n", what,
		       (unsigned long long)off, r, v);
}

static void print_caps(struct vfio_region_info *ri)
{
	uint32_t off = ri->cap_offset;
	int guard = 0;
	while (off && off < ri->argsz && guard++ < 16) {
		struct vfio_info_cap_header *h = (void *)((char *)ri + off);
		printf("    cap id=%u version=%u next=0x%x", h->id, h->version, h->next);
		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			struct vfio_region_info_cap_sparse_mmap *s = (void *)h;
			printf(" SPARSE_MMAP nr_areas=%u\n", s->nr_areas);
			for (unsigned a = 0; a < s->nr_areas; a++)
				printf("      area[%u] offset=0x%llx size=0x%llx\n", a,
				       (unsigned long long)s->areas[a].offset,
				       (unsigned long long)s->areas[a].size);
		} else if (h->id == VFIO_REGION_INFO_CAP_TYPE) {
			struct vfio_region_info_cap_type *t = (void *)h;
			printf(" TYPE type=0x%x subtype=0x%x\n", t->type, t->subtype);
		} else if (h->id == VFIO_REGION_INFO_CAP_MSIX_MAPPABLE) {
			printf(" MSIX_MAPPABLE\n");
		} else {
			printf(" (unknown)\n");
		}
		off = h->next;
	}
}

struct dev {
	const char *bdf;
	int container, group, fd;
	int shared; /* group/container borrowed from an earlier device */
	char grp[32];
};
static struct dev devs[64];
static int nd;

static int open_dev(struct dev *d)
{
	char path[256], link[256];
	ssize_t n;
	d->fd = d->group = d->container = -1;

	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/iommu_group", d->bdf);
	n = readlink(path, link, sizeof link - 1);
	if (n < 0) {
		printf("  ERROR readlink %s: %s\n", path, strerror(errno));
		return -1;
	}
	link[n] = 0;
	const char *grp = basename(link);
	snprintf(d->grp, sizeof d->grp, "%s", grp);
	for (int i = 0; i < nd; i++) {
		if (&devs[i] != d && devs[i].group >= 0 && !strcmp(devs[i].grp, grp)) {
			printf("  IOMMU group %s already open (device %s): reusing its group/container fds\n",
			       grp, devs[i].bdf);
			d->group = devs[i].group;
			d->container = devs[i].container;
			d->shared = 1;
			goto get_fd;
		}
	}

	snprintf(path, sizeof path, "/dev/vfio/%s", grp);
	d->group = open(path, O_RDWR);
	if (d->group < 0) {
		snprintf(path, sizeof path, "/dev/vfio/noiommu-%s", grp);
		d->group = open(path, O_RDWR);
	}
	if (d->group < 0) {
		printf("  ERROR open group %s: %s\n", grp, strerror(errno));
		return -1;
	}
	printf("  group file %s\n", path);

	d->container = open("/dev/vfio/vfio", O_RDWR);
	if (d->container < 0) {
		printf("  ERROR open /dev/vfio/vfio: %s\n", strerror(errno));
		return -1;
	}
	printf("  VFIO_GET_API_VERSION=%d ext(TYPE1)=%d ext(TYPE1v2)=%d ext(NOIOMMU)=%d\n",
	       ioctl(d->container, VFIO_GET_API_VERSION),
	       ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU),
	       ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU),
	       ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU));

	struct vfio_group_status gs = {.argsz = sizeof gs};
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &gs))
		printf("  ERROR GROUP_GET_STATUS: %s\n", strerror(errno));
	printf("  group status flags=0x%x (viable=%d)\n", gs.flags,
	       !!(gs.flags & VFIO_GROUP_FLAGS_VIABLE));

	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container)) {
		printf("  ERROR GROUP_SET_CONTAINER: %s\n", strerror(errno));
		return -1;
	}
	int types[] = {VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU, VFIO_NOIOMMU_IOMMU};
	const char *tn[] = {"TYPE1v2", "TYPE1", "NOIOMMU"};
	int ok = 0;
	for (int i = 0; i < 3 && !ok; i++) {
		if (ioctl(d->container, VFIO_CHECK_EXTENSION, types[i]) <= 0)
			continue;
		if (ioctl(d->container, VFIO_SET_IOMMU, types[i]) == 0) {
			printf("  VFIO_SET_IOMMU %s ok\n", tn[i]);
			ok = 1;
		} else {
			printf("  VFIO_SET_IOMMU %s failed: %s\n", tn[i], strerror(errno));
		}
	}
	if (!ok)
		return -1;

get_fd:
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (d->fd < 0) {
		printf("  ERROR GROUP_GET_DEVICE_FD: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void probe_dev(struct dev *d)
{
	char path[256];
	printf("=== DEVICE %s ===\n", d->bdf);
	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/vendor", d->bdf);
	cat_file(path, "  vendor ", NULL);
	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/device", d->bdf);
	cat_file(path, "  device ", NULL);
	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/class", d->bdf);
	cat_file(path, "  class  ", NULL);
	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/resource", d->bdf);
	printf("  sysfs resource (non-zero lines; 0-5=BAR0-5, 6=ROM):\n");
	{
		FILE *f = fopen(path, "r");
		char line[256];
		int idx = 0;
		while (f && fgets(line, sizeof line, f)) {
			unsigned long long s0, e0, fl;
			if (sscanf(line, "%llx %llx %llx", &s0, &e0, &fl) == 3 && (s0 || e0 || fl))
				printf("    [%d] %s", idx, line);
			idx++;
		}
		if (f) fclose(f);
	}

	if (open_dev(d))
		return;

	struct vfio_device_info di = {.argsz = sizeof di};
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &di)) {
		printf("  ERROR DEVICE_GET_INFO: %s\n", strerror(errno));
		return;
	}
	printf("  device info flags=0x%x%s%s num_regions=%u num_irqs=%u\n", di.flags,
	       (di.flags & VFIO_DEVICE_FLAGS_PCI) ? " PCI" : "",
	       (di.flags & VFIO_DEVICE_FLAGS_RESET) ? " RESET" : "", di.num_regions,
	       di.num_irqs);

	for (unsigned i = 0; i < di.num_regions; i++) {
		struct vfio_region_info *ri = calloc(1, sizeof *ri);
		ri->argsz = sizeof *ri;
		ri->index = i;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, ri)) {
			printf("  REGION %u (%s): GET_REGION_INFO FAIL errno=%d (%s)\n", i,
			       rname(i), errno, strerror(errno));
			free(ri);
			continue;
		}
		if (ri->argsz > sizeof *ri) {
			uint32_t need = ri->argsz;
			ri = realloc(ri, need);
			memset(ri, 0, need);
			ri->argsz = need;
			ri->index = i;
			if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, ri)) {
				printf("  REGION %u: second GET_REGION_INFO FAIL %s\n", i,
				       strerror(errno));
				free(ri);
				continue;
			}
		}
		printf("  REGION %u (%s): size=0x%llx offset=0x%llx flags=0x%x [%s%s%s%s] argsz=%u cap_offset=0x%x\n",
		       i, rname(i), (unsigned long long)ri->size,
		       (unsigned long long)ri->offset, ri->flags,
		       (ri->flags & VFIO_REGION_INFO_FLAG_READ) ? " READ" : "",
		       (ri->flags & VFIO_REGION_INFO_FLAG_WRITE) ? " WRITE" : "",
		       (ri->flags & VFIO_REGION_INFO_FLAG_MMAP) ? " MMAP" : "",
		       (ri->flags & VFIO_REGION_INFO_FLAG_CAPS) ? " CAPS" : "",
		       ri->argsz, ri->cap_offset);
		if (ri->flags & VFIO_REGION_INFO_FLAG_CAPS)
			print_caps(ri);

		if (ri->size && i != VFIO_PCI_VGA_REGION_INDEX) {
			size_t psz = (ri->size + PG - 1) & ~(PG - 1);
			try_mmap(d->fd, "page-rounded size, SHARED", psz, ri->offset, MAP_SHARED);
			if (ri->size != psz)
				try_mmap(d->fd, "exact (unrounded) size", ri->size, ri->offset, MAP_SHARED);
			try_mmap(d->fd, "rounded size + 1 page", psz + PG, ri->offset, MAP_SHARED);
			try_mmap(d->fd, "1 page at off+rounded size", PG, ri->offset + psz, MAP_SHARED);
			try_mmap(d->fd, "page-rounded size, PRIVATE", psz, ri->offset, MAP_PRIVATE);
			if (psz >= 2 * PG)
				try_mmap(d->fd, "last page only", PG, ri->offset + psz - PG, MAP_SHARED);
			if (i <= VFIO_PCI_BAR5_REGION_INDEX) {
				try_pread(d->fd, "BAR start", ri->offset);
				if (ri->size >= 4)
					try_pread(d->fd, "BAR last dword", ri->offset + ri->size - 4);
				try_pread(d->fd, "BAR end (size)", ri->offset + ri->size);
			}
		}
		free(ri);
	}
}

int main(int argc, char **argv)
{
	PG = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("probe: page size %ld\n", PG);
	for (int a = 1; a < argc && nd < 64; a++) {
		memset(&devs[nd], 0, sizeof devs[nd]);
		devs[nd].bdf = argv[a];
		devs[nd].fd = devs[nd].group = devs[nd].container = -1;
		nd++;
		probe_dev(&devs[nd - 1]);
		printf("  /proc/iomem 'vfio sub-page reserved' lines now:\n");
		cat_file("/proc/iomem", "    ", "vfio sub-page");
	}
	printf("=== /proc/iomem WHILE ALL %d DEVICE FDs OPEN ===\n", nd);
	cat_file("/proc/iomem", "  ", NULL);
	for (int i = 0; i < nd; i++) {
		if (devs[i].fd >= 0) close(devs[i].fd);
		if (!devs[i].shared && devs[i].group >= 0) close(devs[i].group);
		if (!devs[i].shared && devs[i].container >= 0) close(devs[i].container);
	}
	printf("=== 'vfio sub-page' lines in /proc/iomem AFTER closing all fds ===\n");
	cat_file("/proc/iomem", "  ", "vfio sub-page");
	printf("=== end ===\n");
	return 0;
}
