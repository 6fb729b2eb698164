package dev.barmap.model.vfio;

/** The Linux errno values VFIO returns (include/uapi/asm-generic/errno-base.h), with their meanings. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENOTTY = 25;

    private Errno() {}

    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case EINTR -> "EINTR"; case EAGAIN -> "EAGAIN"; case EEXIST -> "EEXIST"; case EIO -> "EIO"; case EBADF -> "EBADF";
            case ENOMEM -> "ENOMEM"; case EACCES -> "EACCES"; case EFAULT -> "EFAULT"; case EBUSY -> "EBUSY";
            case ENODEV -> "ENODEV"; case EINVAL -> "EINVAL"; case ENOTTY -> "ENOTTY"; case ENOSPC -> "ENOSPC";
            default -> "E" + errno;
        };
    }

    public static String meaning(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted"; case ENOENT -> "No such file or directory";
            case EINTR -> "Interrupted system call"; case EAGAIN -> "Resource temporarily unavailable";
            case EEXIST -> "File exists";
            case EIO -> "Input/output error"; case EBADF -> "Bad file descriptor";
            case ENOMEM -> "Cannot allocate memory"; case EACCES -> "Permission denied";
            case EFAULT -> "Bad address"; case EBUSY -> "Device or resource busy";
            case ENODEV -> "No such device"; case EINVAL -> "Invalid argument";
            case ENOTTY -> "Inappropriate ioctl for device"; case ENOSPC -> "No space left on device";
            default -> "errno " + errno;
        };
    }
}
