package io.tidemark.iscsi.scsi;

/** SAM task attribute, numbered as in the iSCSI SCSI Command PDU ATTR field. */
public enum TaskAttribute {
    UNTAGGED, SIMPLE, ORDERED, HEAD_OF_QUEUE, ACA;

    public static TaskAttribute fromWire(int attr) {
        return attr >= 0 && attr < values().length ? values()[attr] : SIMPLE;
    }
}
