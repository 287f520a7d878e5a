// SPDX-License-Identifier: GPL-2.0
/* Faults: records, page responses, the fault fd (lands next). */
#include "nested_private.h"
#include "fault.h"
