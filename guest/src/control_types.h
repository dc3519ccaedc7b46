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
    CONTROL_EXEC_STARTED = 5,
    CONTROL_EXEC_OUTPUT = 6,
    CONTROL_EXEC_EXITED = 7,
    CONTROL_EXEC_ERROR = 8,
    CONTROL_START = 0x81,
    CONTROL_SIGNAL = 0x82,
    CONTROL_WINSIZE = 0x83,
    CONTROL_EXEC = 0x84,
    CONTROL_EXEC_INPUT = 0x85,
    CONTROL_EXEC_SIGNAL = 0x86,
    CONTROL_EXEC_WINSIZE = 0x87,
    CONTROL_SIGNAL_ALL = 0x88,
    CONTROL_NETWORK = 0x89,
};

/* EXEC_OUTPUT's stream byte. */
enum control_stream { CONTROL_STREAM_STDOUT = 1, CONTROL_STREAM_STDERR = 2 };

/* Every exec message starts with the host's u32 id of the exec. */
#define CONTROL_EXEC_ID_SIZE 4

#define CONTROL_LENGTH_SIZE 4
#define CONTROL_TYPE_SIZE 2
#define CONTROL_HEADER_SIZE (CONTROL_LENGTH_SIZE + CONTROL_TYPE_SIZE)
/* Longest payload either side sends (ERROR messages are cut to fit). */
#define CONTROL_MAX_PAYLOAD 4096
#define CONTROL_MAX_MESSAGE (CONTROL_HEADER_SIZE + CONTROL_MAX_PAYLOAD)

#endif
