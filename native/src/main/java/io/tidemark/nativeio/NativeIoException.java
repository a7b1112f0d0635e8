package io.tidemark.nativeio;

import java.io.IOException;

/** A libc call failed: names the call, the file and errno with its strerror text. */
public class NativeIoException extends IOException {

    private final String call;
    private final String path;
    private final int errno;

    public NativeIoException(String call, String path, int errno) {
        super(call + " " + path + ": " + Errno.name(errno) + " (" + errno + ", " + strerror(errno) + ")");
        this.call = call;
        this.path = path;
        this.errno = errno;
    }

    /** The failed call with its main arguments, e.g. "pwrite(offset=4096, length=512)". */
    public String call() {
        return call;
    }

    public String path() {
        return path;
    }

    public int errno() {
        return errno;
    }

    private static String strerror(int errno) {
        String text = LibC.INSTANCE.strerror(errno);
        return text == null ? "unknown error" : text;
    }
}
