/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection-tracking state machine of the flow table (SPEC §4 "Security
 * group": TCP state follows the handshake; half-open and closing flows use
 * short timeouts). Used by security groups, NAT, NLB and GWLB flows alike.
 * Pure C, no DPDK, no memory: a flow stores its state in 4 bits and the
 * caller feeds each packet's direction and TCP flags byte.
 *
 * Only flags are tracked, not sequence numbers (no window check): this keeps
 * a flow small and the lookup cheap. The consequence, accepted: a packet
 * with the right 5-tuple and a RST closes the flow whatever its sequence.
 *
 * States and transitions (o = originator, the side that sent the first SYN;
 * r = reply side; "ACK" includes data segments):
 *
 *   NONE        o SYN -> SYN_SENT (flow creation); anything else invalid.
 *   SYN_SENT    o SYN (retransmission) -> SYN_SENT; r SYN-ACK -> SYN_RECV.
 *               Invalid: o SYN-ACK, o ACK/FIN, r ACK/FIN (data before the
 *               handshake), r SYN (simultaneous open is not supported).
 *   SYN_RECV    o ACK -> ESTABLISHED; o FIN -> FIN_WAIT_ORIG (the ACK that
 *               completes the handshake may carry FIN). o SYN and r SYN-ACK
 *               (retransmissions), r ACK (server data after SYN-ACK, as with
 *               TCP Fast Open) stay; r FIN -> FIN_WAIT_REPLY.
 *   ESTABLISHED ACK both ways stays; o FIN -> FIN_WAIT_ORIG, r FIN ->
 *               FIN_WAIT_REPLY. r SYN-ACK (retransmitted when the third ACK
 *               was lost) is valid and changes nothing. o SYN is valid and
 *               changes nothing: if the entry is stale (both hosts forgot the
 *               connection) the SYN must reach the server, whose challenge ACK
 *               (RFC 5961) makes the client send a RST, which closes the flow;
 *               the next SYN then reopens it.
 *   FIN_WAIT_ORIG  the originator sent FIN; the reply side may still send
 *               data (half close). r FIN -> TIME_WAIT. As in ESTABLISHED,
 *               ACK both ways, r SYN-ACK and o SYN stay; o FIN (a
 *               retransmission) stays too.
 *   FIN_WAIT_REPLY the mirror image: o FIN -> TIME_WAIT.
 *   TIME_WAIT   both FINs seen (either order, or simultaneous). ACKs and FIN
 *               retransmissions stay. o SYN reopens: -> SYN_SENT.
 *   CLOSED      after a RST. RST stays (duplicates); o SYN reopens: ->
 *               SYN_SENT; anything else is invalid (the connection is gone;
 *               segments still in flight are dropped).
 *
 * RST (with or without ACK) from either side in any state but NONE ->
 * CLOSED. Reopening keeps the flow's direction: a SYN from the reply side on
 * a TIME_WAIT or CLOSED flow is invalid; the caller may let the entry expire
 * (the short timeouts below) and then create the flow the other way round.
 * A reopened connection is a new one: the caller decides before calling
 * this whether the old flow ends instead (dp_node.c flow_reuse(): NLB, GWLB
 * and SG flows end and the SYN creates a new flow, placed and checked
 * again; a NAT flow keeps its mapping and reopens here).
 *
 * Flag sanity, before any state: ECE, CWR, PSH and URG are ignored; the rest
 * must be one of SYN, SYN|ACK, RST, RST|ACK, ACK, FIN|ACK. Other combinations
 * (no flag, FIN without ACK, SYN|FIN, SYN|RST, FIN|RST, ...) are scans or
 * garbage: invalid in every state, state unchanged.
 */
#ifndef VPCGW_FW_CT_TCP_H
#define VPCGW_FW_CT_TCP_H

#include <stdbool.h>
#include <stdint.h>

/* TCP header flags byte (RFC 9293 §3.1). */
#define FW_CT_TCP_F_FIN 0x01
#define FW_CT_TCP_F_SYN 0x02
#define FW_CT_TCP_F_RST 0x04
#define FW_CT_TCP_F_PSH 0x08
#define FW_CT_TCP_F_ACK 0x10
#define FW_CT_TCP_F_URG 0x20
#define FW_CT_TCP_F_ECE 0x40
#define FW_CT_TCP_F_CWR 0x80

/* Direction of a packet relative to the flow. */
#define FW_CT_DIR_ORIG 0     /* same direction as the flow's first SYN */
#define FW_CT_DIR_REPLY 1

enum fw_ct_tcp_state {
	FW_CT_TCP_NONE = 0,          /* no flow yet: only for fw_ct_tcp_next() input */
	FW_CT_TCP_SYN_SENT,          /* originator SYN seen */
	FW_CT_TCP_SYN_RECV,          /* reply SYN-ACK seen */
	FW_CT_TCP_ESTABLISHED,       /* originator ACKed the SYN-ACK */
	FW_CT_TCP_FIN_WAIT_ORIG,     /* originator sent FIN, reply side not yet */
	FW_CT_TCP_FIN_WAIT_REPLY,    /* reply side sent FIN, originator not yet */
	FW_CT_TCP_TIME_WAIT,         /* both FINs seen */
	FW_CT_TCP_CLOSED,            /* RST seen */
	FW_CT_TCP_NSTATES
};

/* A state fits the 4 bits a flow entry reserves for it. */
#define FW_CT_TCP_STATE_BITS 4

/*
 * Timeouts in seconds (SPEC only says "short" for half-open and closing
 * flows; AWS does not publish them). Values follow Linux nf_conntrack, whose
 * ESTABLISHED default is the same 432000 s AWS uses, shortened where a
 * retransmission refreshes the timer anyway. Each is capped by the
 * established timeout: a closing flow never outlives an idle open one.
 */
/* Half-open from the client side: what a SYN flood fills the table with.
 * Every retransmitted SYN restarts the timer, so this only needs to cover
 * one SYN -> SYN-ACK wait; an expired entry is recreated by the next SYN. */
#define FW_CT_TCP_TO_SYN_SENT 30
/* SYN-ACK sent, waiting for the third ACK; the server retransmits its
 * SYN-ACK with backoff (1+2+4+8+16 s...), 60 s covers five (Linux: 60). */
#define FW_CT_TCP_TO_SYN_RECV 60
/* One side closed: the other may still send (half close) and the FIN may
 * be retransmitted. 2 minutes like Linux FIN_WAIT; a longer half-closed
 * idle connection is cut. */
#define FW_CT_TCP_TO_FIN_WAIT 120
/* Both FINs seen: only the last ACK and FIN retransmissions remain (Linux
 * LAST_ACK: 30 s). Not the hosts' 2*MSL: a middlebox has no sequence space
 * to protect, and a new SYN reopens the entry anyway; short frees entries
 * under high connection rates (10k conn/s x 30 s = 300k entries). */
#define FW_CT_TCP_TO_TIME_WAIT 30
/* After a RST: absorb duplicate RSTs and in-flight segments (Linux CLOSE:
 * 10 s). */
#define FW_CT_TCP_TO_CLOSED 10

/*
 * Next state of a flow in state for a packet in direction dir (FW_CT_DIR_ORIG
 * = 0, any other value = reply) with TCP flags flags. Pure function.
 * @param valid  set to false when the packet is not acceptable in this state
 *   (the caller drops it and counts it; the state returned is then the state
 *   given, unchanged), true otherwise. May be NULL.
 * @return the new state; state itself, with *valid false, when state is out
 *   of range.
 */
uint8_t
fw_ct_tcp_next(uint8_t state, int dir, uint8_t flags, bool *valid);

/*
 * May a packet with these flags create a flow? Only a SYN without ACK (ECE,
 * CWR, PSH, URG ignored). Mid-stream pickup is not done: a flow whose entry
 * expired (or that started before vpcgw) is not recreated from an ACK; its
 * packets are dropped until the client reconnects. This is what makes the
 * table's state trustworthy (an ACK scan creates nothing) and matches the NAT
 * gateway answering data on a timed-out connection with a RST.
 * Same answer as fw_ct_tcp_next(FW_CT_TCP_NONE, FW_CT_DIR_ORIG, flags, &v)
 * setting v.
 */
bool
fw_ct_tcp_can_open(uint8_t flags);

/*
 * Idle timeout in seconds of a flow in state, given the configured
 * established timeout (SG tcp_established, NAT/NLB/GWLB idle timeout). The
 * FW_CT_TCP_TO_* values above, each capped by established_timeout;
 * ESTABLISHED gets established_timeout itself. NONE and out-of-range states:
 * 0 (expire at once; they are never stored).
 */
uint32_t
fw_ct_tcp_timeout(uint8_t state, uint32_t established_timeout);

/* @return "none", "syn_sent", ..., "closed"; "invalid" out of range. Never NULL. */
const char *
fw_ct_tcp_state_name(uint8_t state);

#endif /* VPCGW_FW_CT_TCP_H */
