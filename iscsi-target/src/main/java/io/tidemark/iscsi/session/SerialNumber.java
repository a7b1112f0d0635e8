package io.tidemark.iscsi.session;

/** 32-bit serial number arithmetic (RFC 1982) for CmdSN, StatSN, DataSN. */
final class SerialNumber {

    private SerialNumber() {}

    static boolean lessThan(int a, int b) {
        return a != b && a - b < 0;
    }

    /** a within [low, high] in serial order. */
    static boolean within(int a, int low, int high) {
        return !lessThan(a, low) && !lessThan(high, a);
    }
}
