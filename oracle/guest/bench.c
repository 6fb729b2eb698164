/*
 * The C baseline of the benchmark: 4-byte reads of a BAR through an mmap of the vfio device fd and
 * through pread on it, the same loops as GuestMain bench. Prints key=value lines (ns per read).
 * Usage: bench-c BDF BAR [READS]     (static; runs inside the oracle guest)
 *        bench-c plain [READS]       (the same mmap loop over an ordinary anonymous page: GuestMain bench-plain's
 *                                     baseline, in the guest or on the host: gcc -O2 -static oracle/guest/bench.c)
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
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

/* as GuestMain: ROUNDS rounds, the median of the last ROUNDS - WARMUP */
#define ROUNDS 12
#define WARMUP 7

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-c: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* every round's ns per read, for the record (as GuestMain's *.rounds.ns), before the sort */
static void rounds(const char *key, const double *v)
{
	printf("%s=", key);
	for (int r = 0; r < ROUNDS; r++)
		printf(r ? " %.2f" : "%.2f", v[r]);
	printf("\n");
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* bench's mmap loop, rounds and median over ordinary memory (no device) */
static int plain(long reads)
{
	volatile uint32_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) die("mmap");
	p[0] = 1;
	double mm[ROUNDS];
	uint32_t sink = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double a = now();
		for (long i = 0; i < reads; i++)
			sink += p[0];
		mm[r] = (now() - a) / reads;
	}
	rounds("c.plain.rounds.ns", mm);
	qsort(mm + WARMUP, ROUNDS - WARMUP, sizeof(double), cmp);
	printf("plainReads=%ld\nc.plain.ns=%.2f\nsink=%x\n", reads, mm[WARMUP + (ROUNDS - WARMUP) / 2], sink);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "plain"))
		return plain(argc > 2 ? atol(argv[2]) : 2000000);
	if (argc < 3) {
		fprintf(stderr, "usage: bench-c BDF BAR [READS]\n");
		return 2;
	}
	const char *bdf = argv[1];
	unsigned bar = atoi(argv[2]);
	long reads = argc > 3 ? atol(argv[3]) : 2000000;
	long preads = reads / 10 > 20000 ? 20000 : reads / 10 > 1000 ? reads / 10 : 1000;
	char path[256], link[256];
	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/iommu_group", bdf);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n < 0) die(path);
	link[n] = 0;
	snprintf(path, sizeof path, "/dev/vfio/%s", basename(link));
	int group = open(path, O_RDWR);
	if (group < 0) die(path);
	int container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0) die("/dev/vfio/vfio");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) die("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		die("VFIO_SET_IOMMU");
	int fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (fd < 0) die("VFIO_GROUP_GET_DEVICE_FD");
	struct vfio_region_info ri = {.argsz = sizeof ri, .index = bar};
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri)) die("VFIO_DEVICE_GET_REGION_INFO");
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = (ri.size + pg - 1) & ~(pg - 1);
	volatile uint32_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, ri.offset);
	if (p == MAP_FAILED) die("mmap");
	double mm[ROUNDS], pr[ROUNDS];
	uint32_t sink = 0, v;
	for (int r = 0; r < ROUNDS; r++) {
		double a = now();
		for (long i = 0; i < reads; i++)
			sink += p[0];
		double b = now();
		for (long i = 0; i < preads; i++) {
			if (pread(fd, &v, 4, ri.offset) != 4)
				die("pread");
			sink += v;
		}
		double c = now();
		mm[r] = (b - a) / reads;
		pr[r] = (c - b) / preads;
	}
	rounds("c.mmap.rounds.ns", mm);
	rounds("c.pread.rounds.ns", pr);
	qsort(mm + WARMUP, ROUNDS - WARMUP, sizeof(double), cmp);
	qsort(pr + WARMUP, ROUNDS - WARMUP, sizeof(double), cmp);
	printf("device=%s BAR%u size %llu\n", bdf, bar, (unsigned long long)ri.size);
	printf("mmapReads=%ld\npreadReads=%ld\n", reads, preads);
	printf("c.mmap.ns=%.1f\nc.pread.ns=%.1f\nsink=%x\n", mm[WARMUP + (ROUNDS - WARMUP) / 2], pr[WARMUP + (ROUNDS - WARMUP) / 2], sink);
	return 0;
}
