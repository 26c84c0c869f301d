r"""SELU's moment fixed point (Klambauer et al. 2017, section 3).

A unit receives :math:`z = \sum_i w_i x_i` where the inputs have mean :math:`\mu` and
variance :math:`\nu`, and the weights have :math:`\omega = \sum_i w_i` and
:math:`\tau = \sum_i w_i^2`. Treating :math:`z` as normal,
:math:`z \sim \mathcal N(\mu\omega,\ \nu\tau)`, the unit's output
:math:`y = \operatorname{selu}_{\alpha,\lambda}(z)` has

.. math::

    \tilde\mu = \mathrm E[y], \qquad \tilde\nu = \mathrm E[y^2] - \tilde\mu^2 .

With :math:`m = \mu\omega`, :math:`s = \sqrt{\nu\tau}` and :math:`\Phi, \varphi` the
standard normal cdf and pdf, the pieces are closed forms:

.. math::

    \mathrm E[z;\,z>0] &= m\,\Phi(m/s) + s\,\varphi(m/s) \\
    \mathrm E[z^2;\,z>0] &= (m^2 + s^2)\,\Phi(m/s) + m s\,\varphi(m/s) \\
    \mathrm E[e^{kz};\,z\le 0] &= e^{km + k^2 s^2/2}\,\Phi\bigl(-(m + k s^2)/s\bigr)

so :math:`\tilde\mu = \lambda\,a(\alpha)` and :math:`\mathrm E[y^2] = \lambda^2 b(\alpha)`
with :math:`a = \mathrm E[z;z>0] + \alpha\,\mathrm E[e^z - 1;\,z\le0]` and
:math:`b = \mathrm E[z^2;z>0] + \alpha^2\,\mathrm E[(e^z-1)^2;\,z\le0]`.
The fixed point :math:`(\tilde\mu, \tilde\nu) = (\mu, \nu)` then reduces to one equation
in :math:`\alpha`,

.. math:: \frac{a(\alpha)}{\sqrt{b(\alpha) - a(\alpha)^2}} = \frac{\mu}{\sqrt{\nu}},
          \qquad \lambda = \sqrt{\frac{\nu}{b(\alpha) - a(\alpha)^2}},

which for :math:`\mu = 0` is solved in closed form by :math:`\alpha = -\mathrm E[z;z>0] /
\mathrm E[e^z-1;z\le0]`. For :math:`(\mu,\nu) = (0,1)`, :math:`\omega=0`, :math:`\tau=1`
this gives the published :math:`\alpha_{01} \approx 1.6733` and :math:`\lambda_{01}
\approx 1.0507`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["selu_parameters", "moment_map", "moment_jacobian"]


def _parts(m: float, s: float) -> tuple[float, float, float, float, float]:
    """(E[z;z>0], E[z²;z>0], P(z≤0), E[e^z;z≤0], E[e^{2z};z≤0]) for z ~ N(m, s²)."""
    from scipy import special

    r = m / s
    cdf = float(special.ndtr(r))
    pdf = math.exp(-0.5 * r * r) / math.sqrt(2.0 * math.pi)
    e1 = m * cdf + s * pdf
    e2 = (m * m + s * s) * cdf + m * s * pdf
    p0 = float(special.ndtr(-r))
    # exp(k m + k² s²/2) Φ(-(m + k s²)/s), in logs so large s cannot overflow.
    x1 = math.exp(m + 0.5 * s * s + float(special.log_ndtr(-(m + s * s) / s)))
    x2 = math.exp(2.0 * m + 2.0 * s * s + float(special.log_ndtr(-(m + 2.0 * s * s) / s)))
    return e1, e2, p0, x1, x2


def _ab(alpha: float, m: float, s: float) -> tuple[float, float]:
    e1, e2, p0, x1, x2 = _parts(m, s)
    q = x1 - p0  # E[e^z - 1; z ≤ 0]  (< 0)
    t = x2 - 2.0 * x1 + p0  # E[(e^z - 1)²; z ≤ 0]
    return e1 + alpha * q, e2 + alpha * alpha * t


def moment_map(
    mean: float, var: float, *, alpha: float, scale: float, omega: float = 0.0, tau: float = 1.0
) -> tuple[float, float]:
    r"""One layer of the moment map :math:`g(\mu, \nu) = (\tilde\mu, \tilde\nu)`.

    Inputs of mean ``mean`` and variance ``var`` feed a SELU unit through weights with
    :math:`\sum w = \omega` and :math:`\sum w^2 = \tau`; returns the output mean and
    variance (see the module docstring for the formulas).

    >>> from actfn.catalog.selu import SELU_ALPHA, SELU_SCALE
    >>> [round(v, 12) for v in moment_map(0.0, 1.0, alpha=SELU_ALPHA, scale=SELU_SCALE)]
    [0.0, 1.0]
    """
    if not var > 0.0 or not tau > 0.0:
        raise ValueError(f"moment_map: var={var!r} and tau={tau!r} must be > 0")
    a, b = _ab(alpha, mean * omega, math.sqrt(var * tau))
    mu = scale * a
    return mu, scale * scale * b - mu * mu


def selu_parameters(
    mean: float = 0.0, var: float = 1.0, *, omega: float = 0.0, tau: float = 1.0
) -> tuple[float, float]:
    r"""``(alpha, scale)`` of the SELU whose moment map has the fixed point (mean, var).

    Solves :math:`\tilde\mu(\mu,\nu) = \mu` and :math:`\tilde\nu(\mu,\nu) = \nu` for
    :math:`(\alpha, \lambda)` with weights normalized to :math:`\sum w_i = \omega` and
    :math:`\sum w_i^2 = \tau` (the paper's :math:`\omega = 0`, :math:`\tau = 1` by
    default). With :math:`m = \mu\omega`, :math:`s^2 = \nu\tau` the equations reduce to
    :math:`a(\alpha)/\sqrt{b(\alpha) - a(\alpha)^2} = \mu/\sqrt\nu` and
    :math:`\lambda = \sqrt{\nu/(b - a^2)}`, where
    :math:`a = \mathrm E[z;z>0] + \alpha\,\mathrm E[e^z-1;z\le0]` and
    :math:`b = \mathrm E[z^2;z>0] + \alpha^2\,\mathrm E[(e^z-1)^2;z\le0]`,
    :math:`z \sim \mathcal N(m, s^2)`. The default target reproduces the published
    constants (Klambauer et al. 2017, eq. 14).

    Raises ``ValueError`` naming the target when ``var`` or ``tau`` is not positive or
    no ``alpha >= 0`` reaches the requested mean-to-deviation ratio.

    >>> alpha, scale = selu_parameters()
    >>> round(alpha, 10), round(scale, 10)
    (1.6732632424, 1.0507009874)
    """
    for name, v in (("mean", mean), ("var", var), ("omega", omega), ("tau", tau)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) \
                or not math.isfinite(float(v)):
            raise ValueError(f"selu_parameters: {name}={v!r} must be a finite real number")
    mean, var, omega, tau = float(mean), float(var), float(omega), float(tau)
    if var <= 0.0:
        raise ValueError(f"selu_parameters: var={var!r} must be > 0")
    if tau <= 0.0:
        raise ValueError(f"selu_parameters: tau={tau!r} must be > 0")
    m, s = mean * omega, math.sqrt(var * tau)
    e1, e2, p0, x1, x2 = _parts(m, s)
    q = x1 - p0
    t = x2 - 2.0 * x1 + p0
    target = mean / math.sqrt(var)

    def ratio(alpha: float) -> float:
        a = e1 + alpha * q
        return a / math.sqrt(e2 + alpha * alpha * t - a * a)

    if target == 0.0 and e1 > 0.0:
        alpha = -e1 / q  # closed form: E[z; z>0] + α E[e^z - 1; z≤0] = 0
    else:
        # ratio falls from r(0) = E[z;z>0]/sd to q/sqrt(t - q²) as alpha → ∞.
        hi_r, lo_r = ratio(0.0), q / math.sqrt(t - q * q)
        if not lo_r < target <= hi_r:
            raise ValueError(
                f"selu_parameters: no alpha >= 0 gives mean={mean!r}, var={var!r} "
                f"(mean/sqrt(var) must lie in ({lo_r:.6g}, {hi_r:.6g}] for omega={omega!r}, "
                f"tau={tau!r})"
            )
        from scipy import optimize

        hi = 1.0
        while ratio(hi) > target:
            hi *= 2.0
        alpha = float(optimize.brentq(lambda a: ratio(a) - target, 0.0, hi, xtol=1e-300,
                                      rtol=4 * np.finfo(float).eps, maxiter=500))
    a = e1 + alpha * q
    scale = math.sqrt(var / (e2 + alpha * alpha * t - a * a))
    return alpha, scale


def moment_jacobian(
    mean: float, var: float, *, alpha: float, scale: float, omega: float = 0.0, tau: float = 1.0,
    h: float = 1e-4,
) -> np.ndarray:
    r"""Jacobian :math:`\partial(\tilde\mu,\tilde\nu)/\partial(\mu,\nu)` of the moment map.

    Central differences with one Richardson step,
    :math:`D = (4 D_{h/2} - D_h)/3`, which is accurate to :math:`O(h^4)` (≈1e-12 here).
    """

    def g(mu: float, nu: float) -> np.ndarray:
        return np.array(moment_map(mu, nu, alpha=alpha, scale=scale, omega=omega, tau=tau))

    def central(step: float) -> np.ndarray:
        jac = np.empty((2, 2))
        jac[:, 0] = (g(mean + step, var) - g(mean - step, var)) / (2 * step)
        jac[:, 1] = (g(mean, var + step) - g(mean, var - step)) / (2 * step)
        return jac

    return (4.0 * central(h / 2) - central(h)) / 3.0


# -- the experiment ---------------------------------------------------------------------
def run(quick: bool = False, progress: Any = None) -> dict[str, Any]:
    """Solve the fixed point for several targets; Jacobian, stability and trajectories."""
    from ..catalog.selu import SELU_ALPHA, SELU_SCALE

    out: dict[str, Any] = {}
    alpha, scale = selu_parameters()
    out["alpha"], out["scale"] = alpha, scale
    out["alpha_error"] = abs(alpha - SELU_ALPHA)
    out["scale_error"] = abs(scale - SELU_SCALE)
    out["published"] = [SELU_ALPHA, SELU_SCALE]
    targets = [(0.0, 1.0), (0.0, 0.5), (0.0, 2.0), (0.1, 1.0), (-0.1, 1.0), (0.2, 0.8)]
    rows = []
    for mu, nu in targets:
        a, lam = selu_parameters(mu, nu)
        jac = moment_jacobian(mu, nu, alpha=a, scale=lam)
        eig = np.linalg.eigvals(jac)
        back = moment_map(mu, nu, alpha=a, scale=lam)
        rows.append({
            "mean": mu, "var": nu, "alpha": a, "scale": lam,
            "residual": max(abs(back[0] - mu), abs(back[1] - nu)),
            "jacobian": jac.tolist(),
            "spectral_radius": float(np.max(np.abs(eig))),
            "spectral_norm": float(np.linalg.norm(jac, 2)),
        })
        if progress:
            progress()
    out["targets"] = rows
    # Iterate the map from several starting moments (with omega = 0, tau = 1).
    starts = [(0.5, 0.2), (-0.5, 3.0), (1.0, 1.5), (0.0, 0.05), (0.3, 5.0)]
    steps = 12 if quick else 25
    traj = []
    for mu, nu in starts:
        path = [(mu, nu)]
        for _ in range(steps):
            mu, nu = moment_map(mu, nu, alpha=alpha, scale=scale)
            path.append((mu, nu))
        traj.append(path)
    out["trajectories"] = traj
    out["final_distance"] = max(math.hypot(p[-1][0], p[-1][1] - 1.0) for p in traj)
    return out


def plot(data: Any, path: Any) -> None:
    from ._core import new_figure, save_figure

    fig, axes = new_figure(2, 1)
    ax = axes[0][0]
    for p in data["trajectories"]:
        arr = np.asarray(p)
        ax.plot(arr[:, 0], arr[:, 1], "o-", ms=3)
    ax.plot([0], [1], "k*", ms=12, label="fixed point (0, 1)")
    ax.set_xlabel("mean μ")
    ax.set_ylabel("variance ν")
    ax.set_title("SELU moment map iterated from 5 starts")
    ax.legend()
    ax = axes[0][1]
    rows = data["targets"]
    labels = [f"({r['mean']:g},{r['var']:g})" for r in rows]
    ax.bar(labels, [r["spectral_radius"] for r in rows])
    ax.axhline(1.0, color="k", ls="--", lw=1)
    ax.set_ylabel("spectral radius of Jacobian")
    ax.set_title("attracting when < 1")
    ax.tick_params(axis="x", rotation=30)
    save_figure(fig, path)
