// eventfd(2) and signalfd(2), which Swift's Glibc module does not carry.
#ifndef COS_EVENTS_H
#define COS_EVENTS_H

#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

#endif
