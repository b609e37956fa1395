// SPDX-License-Identifier: GPL-2.0
/*
 * Not a framegate program: the floor of the cell programs' cost. The same
 * hooks as the send and frame paths of bpf/cell.bpf.c (socket_sendmsg,
 * file_ioctl, the packet filter), with programs that decide nothing.
 * tests/fgbench.c attaches it in rounds of its own: what those rounds cost
 * over detached ones is what the kernel charges for running any program
 * there (the LSM trampoline, the cgroup filter's dispatch), which no
 * change to cell.bpf.c can take away.
 *
 * The label_ programs add the one step any per-socket decision takes,
 * finding the socket's label in its storage (created on first use, then
 * found): what they cost over the empty ones is the least that knowing
 * a socket's cell costs on each hook.
 */

#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} floor_labels SEC(".maps");

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

SEC("lsm/socket_sendmsg")
int BPF_PROG(label_sendmsg, struct socket *sock, struct msghdr *msg, int size)
{
	struct sock *sk = sock->sk;

	if (sk)
		bpf_sk_storage_get(&floor_labels, sk, NULL,
				   BPF_SK_STORAGE_GET_F_CREATE);
	return 0;
}

SEC("cgroup_skb/egress")
int label_egress(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (sk)
		sk = bpf_sk_fullsock(sk);
	if (sk)
		bpf_sk_storage_get(&floor_labels, sk, NULL,
				   BPF_SK_STORAGE_GET_F_CREATE);
	return 1;
}
