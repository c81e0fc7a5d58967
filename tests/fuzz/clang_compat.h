/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Force-included (-include) by tests/fuzz/run.sh when the project is built
 * with clang. Some modules apply the GCC builtins __atomic_*() to objects
 * declared _Atomic (dp/dp_flow.c ft.live, dp/dp_neigh.c nt.n, nat/nat.c
 * counters). GCC accepts that; clang rejects it ("address argument to
 * atomic operation must be a pointer to integer"). Each macro below casts
 * the address to the unqualified type first: typeof of a comma expression is
 * the type of the value, which C11 6.3.2.1p2 defines as the non-atomic
 * (and unqualified) version. A macro is not re-expanded inside itself, so
 * the inner name is the builtin. Same code, same memory order.
 */
#ifndef VPCGW_FUZZ_CLANG_COMPAT_H
#define VPCGW_FUZZ_CLANG_COMPAT_H

#if defined(__clang__)
#define fz_plain_ptr_(p) ((__typeof__(((void)0, *(p))) *)(p))
#define __atomic_load_n(p, o) __atomic_load_n(fz_plain_ptr_(p), o)
#define __atomic_store_n(p, v, o) __atomic_store_n(fz_plain_ptr_(p), v, o)
#define __atomic_fetch_add(p, v, o) __atomic_fetch_add(fz_plain_ptr_(p), v, o)
#define __atomic_fetch_sub(p, v, o) __atomic_fetch_sub(fz_plain_ptr_(p), v, o)
#define __atomic_fetch_or(p, v, o) __atomic_fetch_or(fz_plain_ptr_(p), v, o)
#define __atomic_fetch_and(p, v, o) __atomic_fetch_and(fz_plain_ptr_(p), v, o)
#define __atomic_exchange_n(p, v, o) __atomic_exchange_n(fz_plain_ptr_(p), v, o)
#define __atomic_compare_exchange_n(p, e, d, w, s, f) \
	__atomic_compare_exchange_n(fz_plain_ptr_(p), e, d, w, s, f)
#endif

#endif /* VPCGW_FUZZ_CLANG_COMPAT_H */
