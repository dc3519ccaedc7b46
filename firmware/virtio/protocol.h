/* Framed control messages on vmm.control (guest/PROTOCOL.md section 3):
   le32 length (type + payload), le16 type, payload. */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include <stdint.h>

/* The types and sizes init uses: one definition for both. */
#include "../../guest/src/control_types.h"

struct proto_state {
    int started;      /* START came */
    int fatal_signal; /* first SIGNAL whose default action ends a process, or 0 */
    int corrupt;      /* a length field out of range: stop reading */
};

extern struct proto_state proto;

void proto_send(uint16_t type, const void *payload, uint32_t len);
/* Parses whatever arrived on vmm.control; updates proto. */
void proto_poll(void);
/* Sends READY, waits for START (marks 3 and 4). A fatal SIGNAL first ends
   the guest with EXITED (-1, signal); a corrupt stream with ERROR. */
void proto_ready_wait_start(void);
/* The whole start of a console guest: marker 1, interrupts, the console's
   handshake (within the timeout), then READY and START as above. */
void proto_start(uint32_t handshake_timeout_ms);
/* EXITED (code, signal), then halt: the host ends the VM on it. */
__attribute__((noreturn)) void proto_exit(int32_t code, int32_t signal);
/* ERROR (message), then halt. */
__attribute__((noreturn)) void proto_error(const char *message);

#endif
