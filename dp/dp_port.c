/* SPDX-License-Identifier: BSD-3-Clause */
/* Ports: one DPDK ethdev per configured port, from its devargs. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "dp/dp.h"
#include "dp/dp_log.h"

/* The link each port had when last looked at (control thread). */
static struct rte_eth_link last_link[DP_MAX_PORTS];

/* The value of key=VALUE in devargs, or false. */
static bool
devarg(const char *devargs, const char *key, char *out, size_t len)
{
	size_t n = strlen(key);

	for (const char *a = strchr(devargs, ','); a != NULL; a = strchr(a + 1, ',')) {
		if (strncmp(a + 1, key, n) == 0 && a[1 + n] == '=') {
			const char *v = a + 2 + n, *end = strchr(v, ',');
			size_t vl = end ? (size_t)(end - v) : strlen(v);

			if (vl >= len)
				return false;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return true;
		}
	}
	return false;
}

/* Why a device would not probe, when it can be told before the driver
 * says "Operation not permitted": a capture that is missing or unreadable,
 * a directory for the output capture that is not there. */
static bool
probe_precheck(const struct cfg_port *cp, char *err, size_t errlen)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (strncmp(cp->devargs, "net_pcap", 8) != 0)
		return true;
	if (devarg(cp->devargs, "rx_pcap", path, sizeof(path)) && access(path, R_OK) != 0) {
		snprintf(err, errlen, "port %s: rx_pcap file %s: %s", cp->name, path,
			 strerror(errno));
		return false;
	}
	if (devarg(cp->devargs, "tx_pcap", path, sizeof(path))) {
		snprintf(dir, sizeof(dir), "%s", path);
		if (access(dirname(dir), W_OK) != 0) {
			snprintf(err, errlen, "port %s: tx_pcap file %s: directory %s: %s", cp->name,
				 path, dir, strerror(errno));
			return false;
		}
	}
	return true;
}

static bool
looks_pci(const char *devargs)
{
	unsigned a, b, c, d;

	return sscanf(devargs, "%x:%x:%x.%x", &a, &b, &c, &d) == 4 ||
	       sscanf(devargs, "%x:%x.%x", &a, &b, &c) == 3;
}

static void
link_log(int i, const struct rte_eth_link *l, const char *when)
{
	char s[RTE_ETH_LINK_MAX_STR_LEN];

	rte_eth_link_to_str(s, sizeof(s), l);
	if (l->link_status)
		DP_LOG(INFO, port, "port %s: %s%s", dp_g.cfg->ports[i].name, s, when);
	else
		DP_LOG(WARNING, port, "port %s: %s%s", dp_g.cfg->ports[i].name, s, when);
}

void
dp_ports_link_poll(void)
{
	for (int i = 0; i < dp_g.n_ports; i++) {
		struct rte_eth_link l;

		if (dp_g.ports[i].vlan != 0)
			continue;
		if (rte_eth_link_get_nowait(dp_g.ports[i].port_id, &l) != 0)
			continue;
		if (l.link_status != last_link[i].link_status ||
		    l.link_speed != last_link[i].link_speed ||
		    l.link_duplex != last_link[i].link_duplex) {
			link_log(i, &l, " (changed)");
			last_link[i] = l;
		}
	}
}

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

/* The rx and tx queues of port i with the configured ring sizes (as far as
 * the device takes them); its rx queues become sources from *src on. */
static int
port_queues(int i, uint16_t pid, const char *driver, uint16_t nrx, uint16_t ntx, unsigned *src,
	    char *err, size_t errlen)
{
	const struct cfg_port *cp = &dp_g.cfg->ports[i];
	uint16_t nb_rx, nb_tx;
	int rc;

	nb_rx = cp->rx_desc;
	nb_tx = cp->tx_desc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nb_rx, &nb_tx);
	if (rc < 0) {
		snprintf(err, errlen, "port %s: descriptor counts: %s", cp->name, strerror(-rc));
		return rc;
	}
	if (nb_rx != cp->rx_desc || nb_tx != cp->tx_desc)
		DP_LOG(NOTICE, port, "port %s: %s takes %u rx and %u tx descriptors "
		       "(configured %u and %u)", cp->name, driver, nb_rx, nb_tx,
		       cp->rx_desc, cp->tx_desc);
	for (uint16_t q = 0; q < nrx; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, nb_rx, rte_eth_dev_socket_id(pid), NULL,
					    dp_g.pool);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: rx queue %u: %s", cp->name, q,
				 strerror(-rc));
			return rc;
		}
		if (*src >= DP_MAX_SOURCES) {
			snprintf(err, errlen, "too many rx queues (max %d)", DP_MAX_SOURCES);
			return -E2BIG;
		}
		dp_g.sources[*src].port = (uint16_t)i;
		dp_g.sources[*src].queue = q;
		(*src)++;
	}
	for (uint16_t q = 0; q < ntx; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, nb_tx, rte_eth_dev_socket_id(pid), NULL);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: tx queue %u: %s", cp->name, q,
				 strerror(-rc));
			return rc;
		}
	}
	DP_LOG(INFO, port, "port %s: %s, %u rx queue%s x %u descriptors, %u tx x %u", cp->name,
	       driver, nrx, nrx > 1 ? "s" : "", nb_rx, ntx, nb_tx);
	return 0;
}

/*
 * Probe, configure and start every port. Long (~120 lines) because it is the
 * DPDK port bring-up sequence in the order the ethdev API requires (info,
 * queues, descriptors, offloads, MTU, MAC, start), each step with its own
 * error message; the per-port body is one straight line.
 */
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

		if (cp->vlan != 0) {
			/* a VLAN port: the parent's device (before it: ld_vpc_vrf
			 * appends VLAN ports after the ports of the file) */
			*p = dp_g.ports[cp->parent];
			p->has_vlans = false;
			p->vlan = cp->vlan;
			p->parent = (uint8_t)cp->parent;
			dp_g.ports[cp->parent].has_vlans = true;
			continue;
		}
		if (!probe_precheck(cp, err, errlen))
			return -ENOENT;
		rc = port_probe(cp->devargs, &pid);
		if (rc < 0) {
			snprintf(err, errlen, "port %s: cannot probe \"%s\": %s%s", cp->name, cp->devargs,
				 strerror(-rc), looks_pci(cp->devargs) ?
				 " (a PCI device: bound to vfio-pci, hugepages, no --no-pci in the EAL "
				 "arguments? README: Running on a NIC)" : " (the driver's message is above)");
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
			DP_LOG(WARNING, port, "port %s: mtu %u is above what %s takes (%u): using %u",
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
		rc = port_queues(i, pid, info.driver_name, nrx, ntx, &src, err, errlen);
		if (rc < 0)
			return rc;
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
				DP_LOG(WARNING, port, "port %s: cannot set mtu %u: using %u",
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
		DP_LOG(INFO, port, "port %s: started, mtu %u", cp->name, mtu);
		memset(&last_link[i], 0, sizeof(last_link[i]));
		if (rte_eth_link_get_nowait(pid, &last_link[i]) == 0)
			link_log(i, &last_link[i], " (at start)");
	}
	dp_g.n_sources = src;
	dp_g.mtu_min = UINT16_MAX;
	for (int i = 0; i < cfg->n_ports; i++)
		dp_g.mtu_min = RTE_MIN(dp_g.mtu_min, dp_g.ports[i].mtu);
	/* sources to workers round robin; a port's queues spread over workers */
	for (unsigned s = 0; s < src; s++)
		dp_g.sources[s].worker = (uint8_t)(s % dp_g.n_workers);
	return 0;
}

void
dp_ports_stop(void)
{
	for (int i = 0; i < dp_g.n_ports; i++) {
		if (dp_g.ports[i].vlan != 0)
			continue;
		rte_eth_dev_stop(dp_g.ports[i].port_id);
		rte_eth_dev_close(dp_g.ports[i].port_id);
	}
}
