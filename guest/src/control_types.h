/*
 * The control port's message types and sizes (PROTOCOL.md section 3): the
 * one C definition, shared by init (control.h) and the test firmware
 * (firmware/virtio/protocol.h). Swift's side is GuestControlMessage; both
 * are checked against the same bytes, guest/control-vectors.txt.
 */
#ifndef VMM_CONTROL_TYPES_H
#define VMM_CONTROL_TYPES_H

enum control_type {
    CONTROL_READY = 1,
    CONTROL_STARTED = 2,
    CONTROL_EXITED = 3,
    CONTROL_ERROR = 4,
    CONTROL_START = 0x81,
    CONTROL_SIGNAL = 0x82,
    CONTROL_WINSIZE = 0x83,
};

#define CONTROL_LENGTH_SIZE 4
#define CONTROL_TYPE_SIZE 2
#define CONTROL_HEADER_SIZE (CONTROL_LENGTH_SIZE + CONTROL_TYPE_SIZE)
/* Longest payload either side sends (ERROR messages are cut to fit). */
#define CONTROL_MAX_PAYLOAD 4096
#define CONTROL_MAX_MESSAGE (CONTROL_HEADER_SIZE + CONTROL_MAX_PAYLOAD)

#endif
