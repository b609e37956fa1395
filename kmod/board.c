// SPDX-License-Identifier: GPL-2.0
/*
 * The board (FG_IOC_BOARD in uapi/linux/framegate.h): what the cells'
 * packet filter knows of the sessions, and where it counts its drops.
 *
 * The filter is a cgroup_skb program: on 6.1 it cannot call kfuncs, so the
 * module writes each session's id and state into a BPF array map that the
 * loader pins with the programs, slot (id & (FG_BOARD_SLOTS - 1)). Session
 * ids skip a slot that is busy (fg_board_next_id()), so no two sessions
 * that exist at once share one. The programs add to the slot's
 * egress_denied; a session's denied_egress is what its slot gained while
 * it held it.
 *
 * Locking: the slot bitmap and the map pointer change under fg_lock; the
 * map pointer is read under RCU. Slots are written, and a session's
 * board_held, board_base and board_carry change, under fg_board_wlock,
 * so that a state change racing with the close cannot write a closed
 * session back into its slot, and a sysfs read never waits for fg_lock.
 * An array map's element is plain memory that lives as long as the map,
 * and the module holds a reference on the map.
 */

#include <linux/bitmap.h>
#include <linux/bpf.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>

#include "framegate.h"

static struct bpf_map __rcu *fg_board;
static DEFINE_SPINLOCK(fg_board_wlock);
static DECLARE_BITMAP(fg_board_used, FG_BOARD_SLOTS);	/* under fg_lock */
/* Drops counted on boards that were replaced, for the global counter. */
static atomic64_t fg_board_folded = ATOMIC64_INIT(0);

static u32 fg_board_index(u64 id)
{
	return id & (FG_BOARD_SLOTS - 1);
}

static struct fg_board_slot *fg_board_slot(struct bpf_map *map, u32 i)
{
	return map->ops->map_lookup_elem(map, &i);
}

/*
 * The first id after @last whose slot is free, or 0 if every slot is busy.
 * Under fg_lock.
 */
u64 fg_board_next_id(u64 last)
{
	u64 id = last + 1;
	unsigned int tries;

	lockdep_assert_held(&fg_lock);
	for (tries = 0; tries < FG_BOARD_SLOTS; tries++, id++)
		if (!test_bit(fg_board_index(id), fg_board_used))
			return id;
	return 0;
}

/* Writes @s (its id and state) into its slot of @map. */
static void fg_board_write(struct bpf_map *map, struct fg_session *s,
			   u64 id, u32 state)
{
	struct fg_board_slot *slot = fg_board_slot(map, fg_board_index(s->id));

	if (!slot)
		return;
	WRITE_ONCE(slot->state, state);
	/* The state before the id: the filter reads the id, then the state. */
	smp_wmb();
	WRITE_ONCE(slot->session_id, id);
}

/* The session @s (id set, not yet visible) takes its slot. Under fg_lock. */
void fg_board_publish(struct fg_session *s)
{
	struct fg_board_slot *slot;
	struct bpf_map *map;

	lockdep_assert_held(&fg_lock);
	set_bit(fg_board_index(s->id), fg_board_used);
	map = rcu_dereference_protected(fg_board, lockdep_is_held(&fg_lock));
	spin_lock(&fg_board_wlock);
	s->board_held = true;
	if (map) {
		slot = fg_board_slot(map, fg_board_index(s->id));
		if (slot)
			s->board_base = READ_ONCE(slot->egress_denied);
		fg_board_write(map, s, s->id, READ_ONCE(s->state));
	}
	spin_unlock(&fg_board_wlock);
}

/* The state of @s changed (revoked, lost): the filter sees it at once. */
void fg_board_update(struct fg_session *s)
{
	struct bpf_map *map;

	rcu_read_lock();
	map = rcu_dereference(fg_board);
	spin_lock(&fg_board_wlock);
	if (map && s->board_held)
		fg_board_write(map, s, s->id, READ_ONCE(s->state));
	spin_unlock(&fg_board_wlock);
	rcu_read_unlock();
}

/* What @s's slot of @map gained since @s took it (or the board came). */
static u64 fg_board_gained(struct bpf_map *map, const struct fg_session *s)
{
	struct fg_board_slot *slot = fg_board_slot(map, fg_board_index(s->id));

	return slot ? READ_ONCE(slot->egress_denied) - s->board_base : 0;
}

/* @s is closed: its slot is free, and its count is final. Under fg_lock. */
void fg_board_release(struct fg_session *s)
{
	struct bpf_map *map;

	lockdep_assert_held(&fg_lock);
	if (!s->board_held)
		return;
	map = rcu_dereference_protected(fg_board, lockdep_is_held(&fg_lock));
	spin_lock(&fg_board_wlock);
	if (map) {
		fg_board_write(map, s, 0, 0);
		s->board_carry += fg_board_gained(map, s);
	}
	s->board_held = false;
	spin_unlock(&fg_board_wlock);
	clear_bit(fg_board_index(s->id), fg_board_used);
}

/* Packets of @s's sockets the filter dropped. */
u64 fg_board_session_denied(const struct fg_session *s)
{
	struct bpf_map *map;
	u64 n;

	/* Not fg_lock: sysfs reads must not wait for a session's close. */
	rcu_read_lock();
	map = rcu_dereference(fg_board);
	spin_lock(&fg_board_wlock);
	n = s->board_carry;
	if (map && s->board_held)
		n += fg_board_gained(map, s);
	spin_unlock(&fg_board_wlock);
	rcu_read_unlock();
	return n;
}

/* Every packet the filter dropped since the module was loaded. */
u64 fg_board_denied(void)
{
	struct bpf_map *map;
	u64 n = atomic64_read(&fg_board_folded);
	u32 i;

	rcu_read_lock();
	map = rcu_dereference(fg_board);
	for (i = 0; map && i <= FG_BOARD_SLOTS; i++) {
		struct fg_board_slot *slot = fg_board_slot(map, i);

		if (slot)
			n += READ_ONCE(slot->egress_denied);
	}
	rcu_read_unlock();
	return n;
}

static bool fg_board_layout_ok(const struct bpf_map *map)
{
	return map->map_type == BPF_MAP_TYPE_ARRAY &&
	       map->key_size == sizeof(u32) &&
	       map->value_size == sizeof(struct fg_board_slot) &&
	       map->max_entries == FG_BOARD_SLOTS + 1;
}

long fg_board_set(struct fg_board __user *uarg)
{
	struct bpf_map *map, *old;
	struct fg_session *s;
	struct fg_board b;
	u32 usize, i;
	u64 sum;
	int ret;

	ret = fg_copy_struct_in(&b, sizeof(b), FG_BOARD_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	ret = fg_check_flags(b.flags, __FG_BOARD_F_ALL, b.reserved,
			     ARRAY_SIZE(b.reserved));
	if (ret)
		return ret;
	map = bpf_map_get(b.map_fd);
	if (IS_ERR(map))
		return PTR_ERR(map);
	if (!fg_board_layout_ok(map)) {
		bpf_map_put(map);
		return -EINVAL;
	}

	mutex_lock(&fg_lock);
	old = rcu_dereference_protected(fg_board, lockdep_is_held(&fg_lock));
	if (old == map) {
		mutex_unlock(&fg_lock);
		bpf_map_put(map);
		return 0;
	}
	/*
	 * The new board first, then every session into it, its count carried
	 * over: a state change from now on writes the new board, and each
	 * write (under fg_board_wlock) reads the state it writes.
	 */
	rcu_assign_pointer(fg_board, map);
	list_for_each_entry(s, &fg_sessions, node) {
		struct fg_board_slot *slot;

		spin_lock(&fg_board_wlock);
		if (s->board_held) {
			if (old)
				s->board_carry += fg_board_gained(old, s);
			slot = fg_board_slot(map, fg_board_index(s->id));
			s->board_base = slot ? READ_ONCE(slot->egress_denied) : 0;
			fg_board_write(map, s, s->id, READ_ONCE(s->state));
		}
		spin_unlock(&fg_board_wlock);
	}
	mutex_unlock(&fg_lock);

	if (old) {
		synchronize_rcu();
		for (i = 0, sum = 0; i <= FG_BOARD_SLOTS; i++) {
			struct fg_board_slot *slot = fg_board_slot(old, i);

			if (slot)
				sum += READ_ONCE(slot->egress_denied);
		}
		atomic64_add(sum, &fg_board_folded);
		bpf_map_put(old);
	}
	pr_debug("board set: map %u\n", map->id);
	return 0;
}

void fg_board_exit(void)
{
	struct bpf_map *map = rcu_dereference_protected(fg_board, true);

	RCU_INIT_POINTER(fg_board, NULL);
	if (map) {
		synchronize_rcu();
		bpf_map_put(map);
	}
}
