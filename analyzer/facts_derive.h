/* facts_derive.h - facts the bundle implies: FluxController, BundleInfo (facts_derive.c). */
#ifndef FD_FACTS_DERIVE_H
#define FD_FACTS_DERIVE_H

#include "bundle.h"

void fd_facts_derive(struct fd_bundle *b);

#endif
