"""A plain, unvectorised reading of the equal-gain exchange model, to test the real one against.

One candidate at a time, one side at a time, lists and dicts only: slow, but each step reads
as the model's description does (see accord.models.exchange). Equal gain only (p = 0).
"""

from __future__ import annotations

EPS, TOL = 1e-10, 1e-9


class Side:
    def __init__(self, game, actor, supply, demand, target):
        self.a, self.k, self.d = actor, supply, demand
        self.x = self.start = game.x[actor][supply]
        self.t = target
        self.sigma, self.delta = game.s[actor][supply], game.s[actor][demand]
        self.w = game.w[actor][supply]
        self.history: list[float] = []
        self.move = self.y = self.nbs0 = self.nbs1 = 0.0


class Candidate:
    def __init__(self, game, i, j, p, q, inner):
        self.p, self.q, self.inner = p, q, inner
        self.I = Side(game, i, q, p, game.x[j][q])  # I supplies q and demands p
        self.J = Side(game, j, p, q, game.x[i][p])
        self.seen: dict[int, dict[int, float]] = {}  # issue -> mover -> recorded position
        self.gain, self.valid = 0.0, False


class Game:
    def __init__(self, x, s, c):
        """x, s: lists per actor of lists per issue (x on 0..100; None where absent); c: one capability per actor."""
        self.x, self.s = [row[:] for row in x], s
        self.n, self.K = len(x), len(x[0])
        self.w = [[None if x[a][k] is None else s[a][k] * c[a] for k in range(self.K)] for a in range(self.n)]
        self.D = [sum(self.w[a][k] for a in range(self.n) if x[a][k] is not None) for k in range(self.K)]

    def outcome(self, k, x=None):
        x = x or self.x
        return sum(self.w[a][k] * x[a][k] for a in range(self.n) if x[a][k] is not None) / self.D[k]

    # -- one candidate
    def view(self, c, side, z, cap=False):
        total = self.N0[side.k]
        for mover, u in c.seen.get(side.k, {}).items():
            if mover != side.a:
                total += self.w[mover][side.k] * (u - self.x[mover][side.k])
        if cap and side.a in c.seen.get(side.k, {}):
            z = c.seen[side.k][side.a]
        return (total + side.w * (z - side.start)) / self.D[side.k]

    @staticmethod
    def ok(side):
        m, y = side.move, side.x + side.move
        same_sign = all(h < 0 for h in side.history) or all(h > 0 for h in side.history)
        return EPS < abs(m) <= 100 and -TOL <= y <= 100 + TOL and sum(side.history) <= 100 and same_sign

    @staticmethod
    def place(side):
        full = side.t - side.x
        exact = side.move * full > 0 and abs(side.move - full) <= 1e-12 * max(1.0, abs(full))
        side.y = side.t if exact else side.x + side.move

    @staticmethod
    def signed(side, size):
        return -size if side.x > side.t else size

    def compute(self, c):
        I, J = c.I, c.J
        fI, fJ = abs(I.t - I.x), abs(J.t - J.x)
        rJ = fJ * J.w / self.D[J.k]
        rI = rJ * (I.delta + J.sigma) / (I.sigma + J.delta)
        mI, mJ = rI * self.D[I.k] / I.w, fJ
        if mI > fI:
            mI = fI
            rI = fI * I.w / self.D[I.k]
            rJ = rI * (I.sigma + J.delta) / (I.delta + J.sigma)
            mJ = rJ * self.D[J.k] / J.w
        I.move, J.move = self.signed(I, mI), self.signed(J, mJ)
        I.history.append(I.move)
        J.history.append(J.move)
        self.place(I)
        self.place(J)
        c.gain = abs(rJ * I.delta - rI * I.sigma)
        c.valid = self.ok(I) and self.ok(J) and c.gain >= EPS
        if c.valid:
            self.cap(c, I, J)
            self.cap(c, J, I)
            c.valid = self.ok(I) and self.ok(J)

    def cap(self, c, A, B):
        A.nbs0, A.nbs1 = self.view(c, A, A.x), self.view(c, A, A.y)
        d0, d1 = A.t - A.nbs0, A.t - A.nbs1
        if not ((d0 > TOL and d1 < -TOL) or (d0 < -TOL and d1 > TOL)):
            return
        size = abs(self.D[A.k] * (A.t - self.view(c, A, A.x, cap=True)) / A.w)
        rA = size * A.w / self.D[A.k]
        rB = rA * (A.sigma + B.delta) / (A.delta + B.sigma)
        A.move, B.move = self.signed(A, size), self.signed(B, abs(rB * self.D[B.k] / B.w))
        A.history[-1], B.history[-1] = A.move, B.move
        A.y = A.x + A.move
        self.place(B)
        c.gain = abs(rB * B.sigma - rA * B.delta)
        A.nbs1 = self.view(c, A, A.y)

    def recompute_after(self, c, e):
        hit = False
        for side in (c.I, c.J):
            for mover in (e.I, e.J):
                if (side.a, side.k) == (mover.a, mover.k):
                    side.x, hit = mover.y, True
                    side.history.append(None)  # marks: keep the last move, push the new one
        for mover, demander in ((e.I, e.J), (e.J, e.I)):
            if any(side.a == demander.a and side.d == demander.d for side in (c.I, c.J)):
                record = c.seen.setdefault(mover.k, {})
                old = record.get(mover.a)
                record[mover.a] = mover.y if old is None else (
                    min(old, mover.y) if mover.start <= old else max(old, mover.y))
                hit = True
        if hit:
            for side in (c.I, c.J):
                if side.history and side.history[-1] is None:
                    side.history.pop()  # the side's own position moved: its last move stays
                else:
                    side.history.pop()  # otherwise the last move is replaced
            self.compute(c)
        return hit

    # -- a round
    def round(self):
        self.N0 = [self.outcome(k) * self.D[k] for k in range(self.K)]
        O = [self.outcome(k) for k in range(self.K)]
        left = [[self.x[a][k] is not None and self.x[a][k] <= O[k] for k in range(self.K)] for a in range(self.n)]
        candidates = []
        for p in range(self.K):
            for q in range(p + 1, self.K):
                groups = [[], [], [], []]
                for a in range(self.n):
                    if self.x[a][p] is not None and self.x[a][q] is not None:
                        groups[int(left[a][p]) + 2 * int(left[a][q])].append(a)
                for g1, g2, inner in ((0, 3, 0), (1, 2, 1)):
                    for a in groups[g1]:
                        for b in groups[g2]:
                            swap = self.s[a][p] / self.s[a][q] < self.s[b][p] / self.s[b][q]
                            c = Candidate(self, *((b, a) if swap else (a, b)), p, q, inner)
                            self.compute(c)
                            candidates.append(c)
        executed = []
        while candidates:
            candidates.sort(key=lambda c: -float(f"{c.gain:.12g}"))
            top = candidates.pop(0)
            if not top.valid:
                continue
            candidates = [c for c in candidates if c.valid and (self.recompute_after(c, top) or True) and c.valid]
            executed.append(top)
        y = [row[:] for row in self.x]
        for e in executed:
            for side in (e.I, e.J):
                y[side.a][side.k] = side.y
        for e in executed:
            for side in (e.I, e.J):
                rate = 0.1 + 0.4 * (1 - side.sigma)
                self.x[side.a][side.k] = side.start + rate * (y[side.a][side.k] - side.start)
        return executed, y


def run(x, s, c, rounds):
    """Preference positions after each round (0..100 scale) and the executed exchanges."""
    game = Game(x, s, c)
    states, exchanges = [[row[:] for row in game.x]], []
    for _ in range(rounds):
        executed, _ = game.round()
        exchanges.append([(e.I.a, e.I.k, e.I.y, e.J.a, e.J.k, e.J.y, e.gain) for e in executed])
        states.append([row[:] for row in game.x])
    return states, exchanges

