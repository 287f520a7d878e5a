// SPDX-License-Identifier: GPL-2.0
/* Stage 1: formats, the walker, the per-PASID IOTLB (lands next). */
#include "nested_private.h"
