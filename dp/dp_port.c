/* SPDX-License-Identifier: BSD-3-Clause */
/* Ports: one DPDK ethdev per configured port, from its devargs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "dp/dp.h"

#define RX_DESC 1024
#define TX_DESC 1024

static int
port_probe(const char *devargs, uint16_t *port_id)
{
	struct rte_dev_iterator it;
	uint16_t pid;
	int rc = rte_dev_probe(devargs);

	if (rc < 0)
		return rc;
	RTE_ETH_FOREACH_MATCHING_DEV(pid, devargs, &it) {
		*port_id = pid;
		rte_eth_iterator_cleanup(&it);
		return 0;
	}
	/* vdev names: the part before the first comma */
	{
		char name[RTE_ETH_NAME_MAX_LEN];
		const char *c = strchr(devargs, ',');
		size_t n = c ? (size_t)(c - devargs) : strlen(devargs);

		if (n >= sizeof(name))
			return -ENAMETOOLONG;
		memcpy(name, devargs, n);
		name[n] = '\0';
		if (rte_eth_dev_get_port_by_name(name, &pid) == 0) {
			*port_id = pid;
			return 0;
		}
	}
	return -ENODEV;
}

int
dp_ports_init(const struct cfg *cfg, char *err, size_t errlen)
{
	unsigned src = 0;

	dp_g.n_ports = cfg->n_ports;
	for (int i = 0; i < cfg->n_ports; i++) {
		const struct cfg_port *cp = &cfg->ports[i];
		struct dp_port_rt *p = &dp_g.ports[i];
		struct rte_eth_conf conf;
		struct rte_eth_dev_info info;
		uint16_t nrx, ntx, pid = 0;
		uint32_t mtu, dev_max;
		char rname[RTE_RING_NAMESIZE];
		int rc;

		rc = port_probe(cp->devargs, &pid);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: cannot probe \"%s\": %s", cp->name, cp->devargs,
				 strerror(-rc));
			return rc;
		}
		p->port_id = pid;
		rc = rte_eth_dev_info_get(pid, &info);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: device info: %s", cp->name, strerror(-rc));
			return rc;
		}
		memset(&conf, 0, sizeof(conf));
		nrx = (uint16_t)RTE_MIN(RTE_MAX(cp->rx_queues, 1), info.max_rx_queues);
		nrx = (uint16_t)RTE_MIN(nrx, dp_g.n_workers);
		ntx = (uint16_t)RTE_MIN(dp_g.n_workers, info.max_tx_queues);
		if (nrx > 1) {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
			if (conf.rx_adv_conf.rss_conf.rss_hf == 0) {
				conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
				nrx = 1;
			}
		}
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
			conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		/* the device's limit: a larger configured MTU is lowered, and said */
		mtu = cp->mtu;
		dev_max = RTE_MIN((uint32_t)info.max_mtu,
				  info.max_rx_pktlen - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN);
		if (mtu > dev_max) {
			fprintf(stderr, "vpcgw: port %s: mtu %u is above what %s takes (%u): using %u\n",
				cp->name, mtu, info.driver_name, dev_max, dev_max);
			mtu = dev_max;
		}
		if (mtu > RTE_ETHER_MTU)
			conf.rxmode.mtu = mtu;
		rc = rte_eth_dev_configure(pid, nrx, ntx, &conf);
		if (rc < 0 && ntx > nrx) {
			/* some PMDs (net_tap) want as many tx as rx queues: the
			 * other workers hand their packets off through a ring */
			ntx = nrx;
			rc = rte_eth_dev_configure(pid, nrx, ntx, &conf);
		}
		if (rc < 0) {
			snprintf(err, errlen, "port %s: configure (%u rx, %u tx queues): %s", cp->name,
				 nrx, ntx, strerror(-rc));
			return rc;
		}
		for (uint16_t q = 0; q < nrx; q++) {
			rc = rte_eth_rx_queue_setup(pid, q, RX_DESC, rte_eth_dev_socket_id(pid), NULL,
						    dp_g.pool);
			if (rc < 0) {
				snprintf(err, errlen, "port %s: rx queue %u: %s", cp->name, q,
					 strerror(-rc));
				return rc;
			}
			if (src >= DP_MAX_SOURCES) {
				snprintf(err, errlen, "too many rx queues (max %d)", DP_MAX_SOURCES);
				return -E2BIG;
			}
			dp_g.sources[src].port = (uint16_t)i;
			dp_g.sources[src].queue = q;
			src++;
		}
		for (uint16_t q = 0; q < ntx; q++) {
			rc = rte_eth_tx_queue_setup(pid, q, TX_DESC, rte_eth_dev_socket_id(pid), NULL);
			if (rc < 0) {
				snprintf(err, errlen, "port %s: tx queue %u: %s", cp->name, q,
					 strerror(-rc));
				return rc;
			}
		}
		p->n_txq = ntx;
		snprintf(rname, sizeof(rname), "vpcgw_tx%d", i);
		p->tx_ring = rte_ring_create(rname, 4096, (int)rte_socket_id(), RING_F_SC_DEQ);
		if (p->tx_ring == NULL) {
			snprintf(err, errlen, "port %s: handoff ring: no memory", cp->name);
			return -ENOMEM;
		}
		if (cp->has_mac) {
			struct rte_ether_addr a;

			memcpy(a.addr_bytes, cp->mac, 6);
			rc = rte_eth_dev_default_mac_addr_set(pid, &a);
			/* some vdevs (pcap) cannot change it: we still send with ours */
			(void)rc;
			p->mac = a;
		} else {
			rte_eth_macaddr_get(pid, &p->mac);
		}
		p->src48 = 0;
		memcpy(&p->src48, &p->mac, RTE_ETHER_ADDR_LEN);
		rte_eth_promiscuous_enable(pid);
		if (mtu != RTE_ETHER_MTU && rte_eth_dev_set_mtu(pid, mtu) != 0) {
			uint16_t cur = RTE_ETHER_MTU;

			(void)rte_eth_dev_get_mtu(pid, &cur);
			if (cur < mtu) {
				fprintf(stderr, "vpcgw: port %s: cannot set mtu %u: using %u\n",
					cp->name, mtu, cur);
				mtu = cur;
			}
		}
		p->mtu = (uint16_t)mtu;
		p->addr = cp->addr;
		p->plen = cp->plen;
		rc = rte_eth_dev_start(pid);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: start: %s", cp->name, strerror(-rc));
			return rc;
		}
	}
	dp_g.n_sources = src;
	/* sources to workers round robin; a port's queues spread over workers */
	for (unsigned s = 0; s < src; s++)
		dp_g.sources[s].worker = (uint8_t)(s % dp_g.n_workers);
	return 0;
}

void
dp_ports_stop(void)
{
	for (int i = 0; i < dp_g.n_ports; i++) {
		rte_eth_dev_stop(dp_g.ports[i].port_id);
		rte_eth_dev_close(dp_g.ports[i].port_id);
	}
}
