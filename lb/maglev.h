/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev consistent hashing for the NLB (Eisenbud et al., "Maglev: A Fast and Reliable Software
 * Network Load Balancer", NSDI'16, §3.4) and the NLB flow hash.
 *
 * The control thread builds a lookup table of `size` slots (a prime), each holding the index of
 * a target; the data plane picks table[lb_flow_hash(...) % size]. Each target walks its own
 * permutation of the slots, derived from its key only, so adding or removing one target moves
 * few slots that belonged to the others.
 *
 * Ownership: the caller allocates the table. lb_maglev_build() writes it in place, so the data
 * plane must read a table that is not being rebuilt (build into a spare table and publish it,
 * e.g. with an RCU-protected pointer swap). Nothing here keeps state between calls.
 *
 * Pure C: no EAL, no DPDK; unit tested in tests/unit/test_maglev.c.
 */
#ifndef VPCGW_LB_MAGLEV_H
#define VPCGW_LB_MAGLEV_H

#include <stdbool.h>
#include <stdint.h>

/* Smallest table size: the paper's prime, large enough that equal targets differ by < 1 %. */
#define LB_MAGLEV_MIN_SIZE 65537u

/**
 * Table size for n_targets targets.
 *
 * @return the smallest prime >= max(65537, 100 * n_targets); 0 when that prime does not fit in
 *   32 bits (n_targets > about 42.9 million).
 */
uint32_t
lb_maglev_size(uint32_t n_targets);

/**
 * Fill a Maglev lookup table.
 *
 * Target i takes part when usable[i] is true. Its permutation of the slots depends on keys[i]
 * only (offset = h1(key) % size, skip = h2(key) % (size - 1) + 1), and targets take their turns
 * in increasing key order (ties: increasing index), so the slots a target owns depend on the set
 * of usable keys and weights, never on the order of the arrays. Keys should be distinct:
 * targets with equal keys share one permutation and split its slots.
 *
 * Weights: each round, a target's credit grows by its weight and it places one slot for every
 * max-weight of credit, so the heaviest target places one slot per round and target i gets a
 * share of about weights[i] / sum(weights). With equal weights this is the paper's algorithm and
 * slot counts differ by at most one.
 *
 * Cost: one malloc of n entries; about size * ln(size) probes with equal weights (times
 * n * max(w) / sum(w) rounds of bookkeeping with unequal ones). Control thread only.
 *
 * @param table
 *   size entries, written with target indices 0..n-1 (only usable ones).
 * @param size
 *   a prime >= n (see lb_maglev_size()).
 * @param keys
 *   n stable target identities, e.g. ((uint64_t)addr << 16) | port.
 * @param weights
 *   NULL (all equal) or n relative weights, each >= 1.
 * @param usable
 *   n flags; false: the target gets no slot (unhealthy, draining).
 * @param n
 *   number of targets, >= 1.
 * @return
 *   0 on success; -EINVAL on a NULL pointer, n == 0, size not prime or < n, or a zero weight;
 *   -ENOMEM when the temporary array cannot be allocated; -ENOENT when no target is usable. On
 *   any error the table is left untouched.
 */
int
lb_maglev_build(uint32_t *table, uint32_t size, const uint64_t *keys, const uint32_t *weights,
		const bool *usable, uint32_t n);

/**
 * NLB flow hash: protocol, addresses and ports (host order) plus, for TCP, the sequence number
 * of the client's SYN (0 for other protocols), so that two connections reusing one 5-tuple in
 * quick succession may land on different targets, as on AWS. Deterministic, unseeded: every
 * worker and every run compute the same value.
 */
uint32_t
lb_flow_hash(uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
	     uint32_t seq);

#endif /* VPCGW_LB_MAGLEV_H */
