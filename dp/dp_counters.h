/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop reasons and per-lcore counters.
 *
 * Writers: each worker lcore writes only its own struct dp_lcore_stats (and
 * the control lcore its own, for generated packets and flow deletions).
 * Readers: the control thread and telemetry sum all lcores with relaxed loads.
 * Nothing is ever reset; "clear" would be done with a reader-side baseline.
 */
#ifndef VPCGW_DP_COUNTERS_H
#define VPCGW_DP_COUNTERS_H

#include <stdint.h>

/* X(name, description). Names are the JSON/telemetry keys. */
#define DP_DROP_REASONS(X) \
	X(eth_truncated, "frame shorter than an Ethernet header") \
	X(vlan_truncated, "802.1Q tag truncated") \
	X(vlan_untagged, "untagged frame on a port whose subnets are all on VLANs") \
	X(vlan_unknown, "802.1Q tag that no subnet of the port uses") \
	X(non_ip_ethertype, "ethertype neither IPv4 nor ARP") \
	X(ipv6_unsupported, "IPv6 packet where no stage handles IPv6") \
	X(arp_malformed, "ARP packet truncated or not Ethernet/IPv4") \
	X(arp_not_for_us, "ARP request for an address vpcgw does not own") \
	X(ip_truncated, "frame shorter than the IPv4 header") \
	X(ip_version, "IP version field is not 4") \
	X(ip_ihl, "IPv4 header length below 5 words") \
	X(ip_total_len, "IPv4 total length beyond the frame or below the header") \
	X(ip_checksum, "bad IPv4 header checksum") \
	X(ip_options, "IPv4 options are not forwarded") \
	X(ip_fragment, "IPv4 fragment where the path does not accept fragments") \
	X(ttl_expired, "TTL reached zero") \
	X(tcp_truncated, "TCP header truncated") \
	X(tcp_doff, "TCP data offset below 5 or beyond the packet") \
	X(udp_truncated, "UDP header truncated") \
	X(udp_len, "UDP length inconsistent with the IPv4 length") \
	X(icmp_truncated, "ICMP header truncated") \
	X(icmp_unsupported, "ICMP message vpcgw does not handle") \
	X(local_unhandled, "packet to a vpcgw address that is not ICMP echo or ARP") \
	X(src_not_in_vpc, "packet from a VPC port whose source is in no subnet") \
	X(dst_unknown, "packet from the internet to no address vpcgw serves") \
	X(no_route, "no route to the destination") \
	X(route_blackhole, "route target is blackhole") \
	X(nacl_deny_out, "outbound network ACL denied") \
	X(nacl_deny_in, "inbound network ACL denied") \
	X(sg_deny_egress, "security group egress denied") \
	X(sg_deny_ingress, "security group ingress denied") \
	X(conntrack_allowance_exceeded, "flow table full: new flow refused") \
	X(ct_invalid, "TCP packet invalid for its connection state") \
	X(ct_not_syn, "TCP packet without SYN for no known connection") \
	X(igw_no_public_ip, "to the internet from an address with no elastic IP") \
	X(nat_no_session, "unsolicited inbound packet to a NAT gateway address") \
	X(nat_port_allocation, "NAT gateway could not allocate a source port") \
	X(nat_fragment, "TCP/ICMP fragment or unmatched UDP fragment at the NAT gateway") \
	X(nat_idle_timeout, "packet on a NAT connection after its idle timeout") \
	X(nlb_no_listener, "packet to an NLB address with no listener on its port") \
	X(nlb_idle_timeout, "packet on an NLB flow after its idle timeout") \
	X(nlb_deregistered, "packet of a flow whose target's deregistration delay has passed") \
	X(nlb_port_allocation, "NLB could not allocate a source port (client IP preservation off)") \
	X(gwlb_oversize, "inner IP packet over 8500 bytes for GENEVE") \
	X(gwlb_not_appliance, "GENEVE from an address that is no registered appliance") \
	X(gwlb_malformed, "malformed GENEVE header or option, VNI not 0, or no payload") \
	X(gwlb_bad_protocol, "GENEVE protocol type not 0x0800/0x86DD or not the inner IP version") \
	X(gwlb_cookie_mismatch, "GENEVE flow cookie or endpoint does not match the flow") \
	X(gwlb_no_flow, "GENEVE return for no known flow") \
	X(gwlb_no_room, "no mbuf room for the GENEVE headers or a decapsulated Ethernet header") \
	X(mtu_exceeded, "packet larger than the egress port MTU") \
	X(gwlb_mtu_no_df, "IPv4 packet without DF over the appliance port MTU less 68 (GWLB does not fragment)") \
	X(arp_queue_full, "no room to hold a packet waiting for ARP") \
	X(arp_timeout, "neighbor did not answer ARP in time") \
	X(tx_full, "transmit queue refused the packet") \
	X(no_mbuf, "mbuf pool empty: a packet vpcgw wanted to build (ARP, ICMP, RST) was not") \
	X(shutdown, "packet still queued when vpcgw stopped") \
	X(ip6_truncated, "frame shorter than the IPv6 header") \
	X(ip6_version, "IP version field is not 6 in an IPv6 frame") \
	X(ip6_payload_len, "IPv6 payload length beyond the frame") \
	X(ip6_ext_malformed, "IPv6 extension header truncated, beyond the payload, misplaced hop-by-hop, routing type 0, or bad fragment header") \
	X(ip6_ext_too_long, "IPv6 header chain longer than the first segment or than 8 extension headers") \
	X(ip6_hop_limit, "IPv6 hop limit reached zero") \
	X(ip6_src_invalid, "IPv6 source multicast, or link-local/unspecified on a packet to route") \
	X(ip6_dst_invalid, "IPv6 destination link-local (never routed) or multicast not for Neighbor Discovery") \
	X(ip6_filter_unsupported, "later IPv6 fragment on a path with a security group or an egress-only internet gateway with no first fragment that passed to follow") \
	X(eigw_unsolicited, "IPv6 from the internet through an egress-only internet gateway that no outbound connection opened") \
	X(icmp6_checksum, "bad ICMPv6 checksum on a packet to vpcgw") \
	X(nd_invalid, "Neighbor Discovery message failing RFC 4861 validation (hop limit, code, length, options)") \
	X(nd_not_for_us, "Neighbor Solicitation for an address vpcgw does not own") \
	X(nd_queue_full, "no room to hold a packet waiting for Neighbor Discovery") \
	X(nd_timeout, "neighbor did not answer Neighbor Solicitations in time") \
	X(nlb_family, "IPv4 client to a listener with an IPv6 target group (not translated), or an IPv6 client packet an IPv4 group cannot take (extension headers)") \
	X(nat64_fragment, "fragment NAT64 does not translate: ICMP (either way), one whose Fragment header is not right before the upper layer, a reply's first UDP fragment without checksum") \
	X(nat64_frag_orphan, "later IPv6 fragment to NAT64 with no first fragment to follow (not seen, or over 2 s before)") \
	X(nat64_unsupported, "packet NAT64 does not translate: ICMPv6 other than echo request, ICMPv4 other than echo reply or the errors RFC 7915 maps, protocol other than TCP/UDP/ICMP") \
	X(vpce_src_unknown, "packet on a gateway endpoint's port from outside its prefix list") \
	X(peering_not_transitive, "routed to a peering connection but not from one side to the other (transitive routing, or entered from outside the VPC)") \
	X(tgw_blackhole, "a transit gateway route table's blackhole route") \
	X(tgw_no_route, "no route in the transit gateway route table of the source attachment")

enum dp_drop {
#define DP_X_ENUM(n, d) DP_DROP_##n,
	DP_DROP_REASONS(DP_X_ENUM)
#undef DP_X_ENUM
	DP_DROP_MAX
};

extern const char *const dp_drop_names[DP_DROP_MAX];
extern const char *const dp_drop_descr[DP_DROP_MAX];

#endif /* VPCGW_DP_COUNTERS_H */
