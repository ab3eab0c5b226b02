"""Helpers shared by the compiled weekly kernels (numba, :mod:`sim.processes`).

The kernels replace whole-column numpy expressions with one pass per person; to give the
same numbers bit for bit, a sum over a person's skills must add in numpy's order.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, inline="always")
def pairwise_sum(a, n):  # pragma: no cover - compiled
    """Σ a[:n] added as ``numpy.sum`` adds a contiguous row (pairwise: one by one below 8
    values, eight running sums up to 128, halves above), so a kernel's per-person total
    equals ``a.sum(axis=1)`` bit for bit. Up to 248 values (a scenario has at most 200
    skills; above, numpy halves again); not recursive, because numba's cache cannot load
    recursive calls."""
    if n <= 128:
        return _block_sum(a, 0, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _block_sum(a, 0, n2) + _block_sum(a, n2, n - n2)


@njit(cache=True, nogil=True, inline="always")
def _block_sum(a, start, n):  # pragma: no cover - compiled
    """numpy's pairwise sum of ``a[start : start + n]``, n ≤ 128 (see :func:`pairwise_sum`)."""
    if n < 8:
        res = 0.0
        for q in range(start, start + n):
            res += a[q]
        return res
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    q = 8
    while q < n - (n % 8):
        b = start + q
        r0 += a[b]
        r1 += a[b + 1]
        r2 += a[b + 2]
        r3 += a[b + 3]
        r4 += a[b + 4]
        r5 += a[b + 5]
        r6 += a[b + 6]
        r7 += a[b + 7]
        q += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while q < n:
        res += a[start + q]
        q += 1
    return res


@njit(cache=True, nogil=True)
def know_how(prof, occupied, mentor, indptr, indices, strength, content, role, work_role, exposure, req, use,
             out):  # pragma: no cover - compiled
    """Per person and skill, the best know-how within reach (:func:`sim.processes.experiential.know_how_nearby`):
    the best content, the mentor's proficiency, tie strength × each contact's proficiency.
    Only whether it reaches the level the work demands matters beyond that level (the exposure
    factor is capped at 1), so the scan of a block of skills stops once each is reached,
    looking at the team (nearby rows) before the far contacts; a vacant position's is the
    content's. Skills go four at a time in local accumulators (twice as fast as one at a time)."""
    n, k = prof.shape
    need = np.zeros(k + 3)
    for i in range(n):
        r, wr, x = role[i], work_role[i], exposure[i]
        for q in range(k):
            out[i, q] = content[q]
            need[q] = req[r, q] * use[r, q] * x
            if wr != r:
                need[q] = max(need[q], req[wr, q] * use[wr, q] * x)
        if not occupied[i]:
            continue
        m = mentor[i]
        if m >= 0 and occupied[m]:
            for q in range(k):
                if prof[m, q] > out[i, q]:
                    out[i, q] = prof[m, q]
        for q0 in range(0, k, 4):
            width = min(4, k - q0)
            a0 = out[i, q0]
            a1 = out[i, q0 + 1] if width > 1 else 0.0
            a2 = out[i, q0 + 2] if width > 2 else 0.0
            a3 = out[i, q0 + 3] if width > 3 else 0.0
            n0, n1, n2, n3 = need[q0], need[q0 + 1], need[q0 + 2], need[q0 + 3]   # 0 beyond k
            for near in (True, False):
                if ((n0 <= 0 or a0 >= n0) and (width < 2 or n1 <= 0 or a1 >= n1)
                        and (width < 3 or n2 <= 0 or a2 >= n2) and (width < 4 or n3 <= 0 or a3 >= n3)):
                    break
                for e in range(indptr[i], indptr[i + 1]):
                    j = indices[e]
                    if (abs(j - i) <= 64) != near or not occupied[j]:
                        continue
                    w = strength[e]
                    if width == 4:
                        a0 = max(a0, prof[j, q0] * w)
                        a1 = max(a1, prof[j, q0 + 1] * w)
                        a2 = max(a2, prof[j, q0 + 2] * w)
                        a3 = max(a3, prof[j, q0 + 3] * w)
                    else:
                        a0 = max(a0, prof[j, q0] * w)
                        if width > 1:
                            a1 = max(a1, prof[j, q0 + 1] * w)
                        if width > 2:
                            a2 = max(a2, prof[j, q0 + 2] * w)
            out[i, q0] = a0
            if width > 1:
                out[i, q0 + 1] = a1
            if width > 2:
                out[i, q0 + 2] = a2
            if width > 3:
                out[i, q0 + 3] = a3


@njit(cache=True, nogil=True)
def factor(know, demand, solo):  # pragma: no cover - compiled; exposure_factor for one value
    reach = 1.0
    if demand > 0:
        reach = min(max(know / demand, 0.0), 1.0)
    return solo + (1.0 - solo) * reach


@njit(cache=True, nogil=True)
def learn_by_doing(prof, role, work_role, share, exposure, aptitude, mindset, occupied, req, use, know, any_rotating,
                    rate0, mindset_effect, solo, demand):  # pragma: no cover - compiled
    n, k = prof.shape
    for i in range(n):
        mind = 1.0 + mindset_effect * (mindset[i] - 0.5)
        rate = min(rate0 * aptitude[i] * mind * (1.0 if occupied[i] else 0.0), 1.0)
        r, wr, w, x = role[i], work_role[i], share[i], exposure[i]
        for q in range(k):
            home = req[r, q] * use[r, q] * x
            pq = prof[i, q]
            step = max(home - pq, 0.0) * factor(know[i, q], home, solo)
            if any_rotating:
                if wr != r:
                    work = req[wr, q] * use[wr, q] * x
                    wstep = w * max(work - pq, 0.0) * factor(know[i, q], work, solo)
                    demand[i, q] = work if w >= 1.0 else (max(home, work) if w > 0 else home)
                else:
                    wstep = 0.0
                    demand[i, q] = home
                step = (1.0 - w) * step + wstep
            else:
                demand[i, q] = home
            prof[i, q] = pq + rate * step


@njit(cache=True, nogil=True)
def measure(prof, role, occupied, req, critical, n_critical, gap_weight, prof_weight, level, tolerance, gap,
             proficient, n_crit, crit_met, role_prof, fit, bench, prof_sum, short_sum):  # pragma: no cover - compiled
    """:meth:`Derived.update` for every position: the skills gap (Σ shortfall × the role's
    gap weight), fully proficient, critical requirements held and met, mean proficiency on the
    role's skills, output fit in the home role, bench; and the per-skill sums over occupied
    positions."""
    n, k = prof.shape
    for i in range(n):
        r = role[i]
        g = 0.0
        rp = 0.0
        unmet_any = False
        unmet_critical = 0
        covers = False
        occ = occupied[i]
        for q in range(k):
            pq = prof[i, q]
            short = max(req[r, q] - pq, 0.0)
            g += short * gap_weight[r, q]
            rp += pq * prof_weight[r, q]
            if short > tolerance:
                unmet_any = True
                if critical[r, q]:
                    unmet_critical += 1
            if pq + tolerance >= level[q] and not (req[r, q] + 1e-9 >= level[q]):
                covers = True
            if occ:
                prof_sum[q] += pq
                short_sum[q] += short
        gap[i] = g
        fit[i] = 1.0 - g
        role_prof[i] = rp
        proficient[i] = occ and not unmet_any
        n_crit[i] = n_critical[r]
        crit_met[i] = n_critical[r] - unmet_critical
        bench[i] = occ and covers


@njit(cache=True, nogil=True)
def _stable_sort_segment(order, lo, hi, key):  # pragma: no cover - compiled
    """Sort ``order[lo:hi]`` stably by ``key[order]``: insertion sort for a few ties, merge
    sort for a hub's many."""
    if hi - lo > 32:
        seg = order[lo:hi].copy()
        keys = np.empty(hi - lo, np.int64)
        for a in range(hi - lo):
            keys[a] = key[seg[a]]
        idx = np.argsort(keys, kind="mergesort")
        for a in range(hi - lo):
            order[lo + a] = seg[idx[a]]
        return
    for a in range(lo + 1, hi):
        e = order[a]
        b = a - 1
        while b >= lo and key[order[b]] > key[e]:
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = e


@njit(cache=True, nogil=True)
def csr_ties(n, src, dst, kind, strength_by_kind, co_presence, away, cross_use_loss, with_reach):  # pragma: no cover
    """:meth:`sim.state.Ties.from_edges` in O(ties): each tie listed from both ends, ordered
    as ``np.lexsort((dst, src))`` orders them (a stable counting sort by the first end, then
    each position's ties by the other end), with its strength by kind and its reach (1 −
    ``cross_use_loss`` × the time the two are apart, for the kinds that need co-presence)."""
    m = len(src)
    deg = np.zeros(n, np.int64)
    for e in range(m):
        deg[src[e]] += 1
        deg[dst[e]] += 1
    indptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        indptr[i + 1] = indptr[i] + deg[i]
    fill = indptr[:-1].copy()
    order = np.empty(2 * m, np.int64)
    other = np.empty(2 * m, np.int64)   # the far end of entry j (j < m: forward, else backward)
    for j in range(2 * m):
        e = j if j < m else j - m
        near = src[e] if j < m else dst[e]
        order[fill[near]] = j
        fill[near] += 1
        other[j] = dst[e] if j < m else src[e]
    for i in range(n):
        _stable_sort_segment(order, indptr[i], indptr[i + 1], other)
    indices = np.empty(2 * m, np.int64)
    strength = np.empty(2 * m)
    reach = np.ones(2 * m)
    for a in range(2 * m):
        j = order[a]
        e = j if j < m else j - m
        indices[a] = other[j]
        strength[a] = strength_by_kind[kind[e]]
        if with_reach and co_presence[kind[e]]:
            reach[a] = 1.0 - cross_use_loss * max(away[src[e]], away[dst[e]])
    return indptr, indices, strength, deg, reach


@njit(cache=True, nogil=True)
def dedupe(edges):  # pragma: no cover - compiled
    """:func:`sim.state.dedupe_edges`: one tie per pair of positions, the first listed, with
    its ends as (lower row, higher row), in the order listed."""
    m = edges.shape[1]
    n = 0
    for e in range(m):
        n = max(n, edges[0, e] + 1, edges[1, e] + 1)
    low = np.empty(m, np.int64)
    high = np.empty(m, np.int64)
    start = np.zeros(n + 1, np.int64)
    for e in range(m):
        low[e] = min(edges[0, e], edges[1, e])
        high[e] = max(edges[0, e], edges[1, e])
        start[low[e] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = start[:-1].copy()
    order = np.empty(m, np.int64)
    for e in range(m):
        order[fill[low[e]]] = e
        fill[low[e]] += 1
    keep = np.zeros(m, np.bool_)
    kept = 0
    for i in range(n):
        _stable_sort_segment(order, start[i], start[i + 1], high)
        previous = -1
        for a in range(start[i], start[i + 1]):
            e = order[a]
            if high[e] != previous:
                keep[e] = True
                kept += 1
                previous = high[e]
    out = np.empty((3, kept), np.int64)
    c = 0
    for e in range(m):
        if keep[e]:
            out[0, c], out[1, c], out[2, c] = low[e], high[e], edges[2, e]
            c += 1
    return out


@njit(cache=True, nogil=True)
def converse(prof, rows, contacts, scale, role, work_role, req, dept, threshold, event, cross):  # pragma: no cover
    """The week's learning conversations (see :func:`learn_from_others`): each learner in
    ``rows`` closes ``scale`` × the difference to their contact on each relevant skill (the
    home or worked role requires it), all from the proficiencies before the week's
    conversations; a conversation that taught more than ``threshold`` levels is an event."""
    m, k = len(rows), prof.shape[1]
    gain = np.zeros((m, k))
    for a in range(m):
        i, c = rows[a], contacts[a]
        r, wr = role[i], work_role[i]
        for q in range(k):
            if req[r, q] > 0 or (wr != r and req[wr, q] > 0):
                gain[a, q] = scale[a] * max(prof[c, q] - prof[i, q], 0.0)
    for a in range(m):
        i, c = rows[a], contacts[a]
        for q in range(k):
            prof[i, q] += gain[a, q]
        if pairwise_sum(gain[a], k) > threshold:
            event[i] = True
            cross[i] = dept[c] != dept[i]


@njit(cache=True, nogil=True)
def coach_gaps(prof, role, req, coach):  # pragma: no cover - compiled
    """Coaching closes the share ``coach`` of each person's gap to their home role's requirements."""
    n, k = prof.shape
    for i in range(n):
        ci = coach[i]
        if ci == 0.0:
            continue
        r = role[i]
        for q in range(k):
            prof[i, q] += ci * max(req[r, q] - prof[i, q], 0.0)


@njit(cache=True, nogil=True)
def apply_transfer(prof, pending, per_person, support_term, by_skill, chance, rate, opportunity, lost_share, transferred,
           lost):  # pragma: no cover - compiled
    """:func:`apply_on_the_job` for every person and skill: τ from :func:`transfer_multiplier`
    where the draw gives an opportunity, the share τ of the pending gain applied (up to level
    5), the rest decaying by ``lost_share``; per person the levels applied and lost."""
    n, k = prof.shape
    moved = np.empty(k)
    gone = np.empty(k)
    for i in range(n):
        for q in range(k):
            tau = (per_person[i] + support_term[i] * by_skill[q]) * rate
            tau *= 1.0 if chance[i, q] < opportunity else 0.0
            tau = min(max(tau, 0.0), 1.0)
            m = min(pending[i, q] * tau, 5.0 - prof[i, q])
            prof[i, q] += m
            pending[i, q] -= m
            moved[q] = m
            gone[q] = pending[i, q] * lost_share
            pending[i, q] -= gone[q]
        transferred[i] = pairwise_sum(moved, k)
        lost[i] = pairwise_sum(gone, k)


@njit(cache=True, nogil=True)
def forget(prof, demand, keep):  # pragma: no cover - compiled
    """Forgetting (:func:`sim.processes.forgetting.forget_unused`) in place: the part of each
    skill above the level the work exercised keeps the share ``keep`` (``demand`` must have
    ``prof``'s shape: the caller checks)."""
    n, k = prof.shape
    for i in range(n):
        for q in range(k):
            floor = min(demand[i, q], prof[i, q])
            prof[i, q] = floor + (prof[i, q] - floor) * keep


@njit(cache=True, nogil=True)
def scatter_add(target, index, values):  # pragma: no cover - compiled
    """``np.add.at(target, index, values)``: added one by one in order, so the same sums."""
    for e in range(len(index)):
        target[index[e]] += values[e]


@njit(cache=True, nogil=True)
def cell_sums(cells, occupied, values, everyone, out):  # pragma: no cover - compiled
    """Per record cell (``out``), the sum of ``values`` over occupied positions (all positions
    with ``everyone``). Four running sums per cell, taken by position modulo 4 and added as
    (s0 + s1) + (s2 + s3): consecutive positions mostly share a cell, and one running sum
    would make each addition wait for the last."""
    n_cells = len(out)
    acc = np.zeros((4, n_cells))
    for i in range(len(values)):
        if everyone or occupied[i]:
            acc[i & 3, cells[i]] += values[i]
    for c in range(n_cells):
        out[c] = (acc[0, c] + acc[1, c]) + (acc[2, c] + acc[3, c])


@njit(cache=True, nogil=True)
def items_seen(labels, occupied, item, seen):  # pragma: no cover - compiled
    """``seen[label, item] = True`` for each occupied position that used an item (item ≥ 0)."""
    for i in range(len(labels)):
        if occupied[i] and item[i] >= 0:
            seen[labels[i], item[i]] = True


@njit(cache=True, nogil=True)
def group_segments(labels, occupied, values, n_groups):  # pragma: no cover - compiled
    """The occupied positions' ``values`` laid out group by group (a counting sort by
    ``labels``, row order within a group) and the groups' bounds (``n_groups + 1``)."""
    bounds = np.zeros(n_groups + 1, np.int64)
    for i in range(len(labels)):
        if occupied[i]:
            bounds[labels[i] + 1] += 1
    for g in range(n_groups):
        bounds[g + 1] += bounds[g]
    fill = bounds[:-1].copy()
    out = np.empty(bounds[n_groups])
    for i in range(len(labels)):
        if occupied[i]:
            out[fill[labels[i]]] = values[i]
            fill[labels[i]] += 1
    return out, bounds


@njit(cache=True, nogil=True)
def target_items(prof, pending, rows, role, plan_req, plan_crit, best_item):  # pragma: no cover - compiled
    """The gap-targeted choice of :func:`sim.processes.formal.choose_items` for ``rows``: the
    skill with the largest max(0, planned requirement − (proficiency + pending)) × criticality
    (the first such), else, without a gap, the role's most critical skill (the first); the
    best item at the level one above what the learner has."""
    k = prof.shape[1]
    out = np.empty(len(rows), np.int64)
    for a in range(len(rows)):
        i, r = rows[a], role[rows[a]]
        best_q, best = 0, max(plan_req[r, 0] - (prof[i, 0] + pending[i, 0]), 0.0) * plan_crit[r, 0]
        for q in range(1, k):
            score = max(plan_req[r, q] - (prof[i, q] + pending[i, q]), 0.0) * plan_crit[r, q]
            if score > best:
                best_q, best = q, score
        if best <= 0:
            best_q = 0
            for q in range(1, k):
                if plan_crit[r, q] > plan_crit[r, best_q]:
                    best_q = q
        level = min(max(int(np.floor(prof[i, best_q] + pending[i, best_q])) + 1, 1), 5)
        out[a] = best_item[best_q, level]
    return out


@njit(cache=True, nogil=True)
def conversations(r_pick, r_talk, occupied, team, climate, indptr, indices, strength, reach, sharing, interaction_rate,
                  safety_offset, social_rate, sharing_offset):  # pragma: no cover - compiled
    """The week's learning conversations of :func:`sim.processes.social.learn_from_others`:
    each occupied person with ties picks the contact at ``floor(r_pick × degree)`` of their
    ties and talks with probability interaction_rate × (offset + team safety) (clipped to 0–1)
    × the tie's reach, if the contact is in post; (learners, contacts, social_rate × tie
    strength × (offset + the contact's sharing)) in row order."""
    n = len(r_pick)
    rows = np.empty(n, np.int64)
    contacts = np.empty(n, np.int64)
    scale = np.empty(n)
    c = 0
    if len(indices) == 0:
        return rows[:0], contacts[:0], scale[:0]
    for i in range(n):
        deg = indptr[i + 1] - indptr[i]
        if not occupied[i] or deg <= 0:
            continue
        slot = indptr[i] + np.int64(np.floor(r_pick[i] * deg))
        j = indices[slot]
        p_talk = min(max(interaction_rate * (safety_offset + climate[team[i]]), 0.0), 1.0) * reach[slot]
        if occupied[j] and r_talk[i] < p_talk:
            rows[c], contacts[c] = i, j
            scale[c] = social_rate * strength[slot] * (sharing_offset + sharing[j])
            c += 1
    return rows[:c], contacts[:c], scale[:c]


@njit(cache=True, nogil=True)
def coaching(occupied, manager, coaching_hours, support, away, time_cost, coaching_rate, support_factor, loss,
             hour_cost, coach):  # pragma: no cover - compiled
    """Manager coaching of :func:`sim.processes.social.learn_from_others`: a manager's hours
    shared by their occupied direct reports; ``coach`` = coaching_rate × hours per head ×
    factor × support × (1 − loss × the time the two are apart), clipped to 0–1; the coach's
    time is booked against the coached (``time_cost``)."""
    n = len(occupied)
    reports = np.zeros(n, np.int64)
    for i in range(n):
        if occupied[i] and manager[i] >= 0:
            reports[manager[i]] += 1
    for i in range(n):
        m = max(manager[i], 0)
        per_head = 0.0
        if occupied[i] and manager[i] >= 0 and occupied[m]:
            per_head = coaching_hours[m] / max(reports[m], 1)
        apart = max(away[i], away[m])
        coach[i] = min(max(coaching_rate * per_head * support_factor * support[m] * (1.0 - loss * apart), 0.0), 1.0)
        time_cost[i] += per_head * hour_cost


@njit(cache=True, nogil=True)
def formal_gains(rows, items, level, have, fit, r_complete, skill_hours, engagement, mindset, away, modality, quality,
                 freshness, duration, propensity, ilt, freshness_weight, remote_ilt_completion, completion_base,
                 completion_per_engagement, formal_rate, engagement_offset, mindset_effect, incomplete_share,
                 overshoot):  # pragma: no cover - compiled
    """Completion and pending gain of each learner of :func:`sim.processes.formal.learn_from_content`
    (``fit``: the level fit, computed by numpy's exp): completed when the draw falls below the
    modality's propensity × (base + per-engagement × engagement) × F(freshness) × min(1, hours
    / duration) × (remote instructor-led factor), clipped 0–1; gain = formal_rate × hours ×
    quality × F(freshness) × fit × (offset + engagement) × mindset factor × (1 or the
    incomplete share), clipped to 0 … max(0, item level + overshoot − what the learner has)."""
    m = len(rows)
    completed = np.empty(m, np.bool_)
    gain = np.empty(m)
    w = freshness_weight
    for a in range(m):
        i, it = rows[a], items[a]
        eng = engagement[i]
        fresh_factor = (1.0 - w) + w * freshness[it]
        live = 1.0 - (1.0 - remote_ilt_completion) * away[i] if modality[it] == ilt else 1.0
        p_complete = (propensity[modality[it]] * (completion_base + completion_per_engagement * eng) * fresh_factor
                      * min(1.0, skill_hours[i] / duration[it]) * live)
        p_complete = min(max(p_complete, 0.0), 1.0)
        done = r_complete[i] < p_complete
        mind = 1.0 + mindset_effect * (mindset[i] - 0.5)
        g = (formal_rate * skill_hours[i] * quality[it] * fresh_factor * fit[a] * (engagement_offset + eng) * mind
             * (1.0 if done else incomplete_share))
        completed[a] = done
        gain[a] = min(max(g, 0.0), max(level[a] + overshoot - have[a], 0.0))
    return completed, gain
