// SPDX-License-Identifier: GPL-2.0
/*
 * Not a framegate program: the floor of the cell programs' cost. The same
 * hooks as the send and frame paths of bpf/cell.bpf.c (socket_sendmsg,
 * file_ioctl, the packet filter), with programs that decide nothing.
 * tests/fgbench.c attaches it in rounds of its own: what those rounds cost
 * over detached ones is what the kernel charges for running any program
 * there (the LSM trampoline, the cgroup filter's dispatch), which no
 * change to cell.bpf.c can take away.
 */

#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/socket_sendmsg")
int BPF_PROG(floor_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	return 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(floor_ioctl, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	return 0;
}

SEC("cgroup_skb/egress")
int floor_egress(struct __sk_buff *skb)
{
	return 1;
}
