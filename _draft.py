import sys, time, numpy as np
from sim.loader import load_scenario
from sim.validation.patterns import observe
variants = {"base": [], "formal0": ["learning.formal_rate=0"], "formal10": ["learning.formal_rate=0.5"],
 "exp0": ["learning.experiential_rate=0"], "soc0": ["learning.social_rate=0","learning.coaching_rate=0"],
 "transfer1": ["learning.transfer_rate=1"], "nodecay": ["learning.decay_half_life_months=600"], "mind0":["learning.mindset_effect=0"]}
sel = sys.argv[1:] or list(variants)
for v in sel:
    t=time.perf_counter()
    obs = observe(load_scenario("scenarios/baseline.yaml", variants[v]), (11,12,13,14), 260)
    el=time.perf_counter()-t
    ch = {c: np.mean([o.channel_gain[c] for o in obs]) for c in obs[0].channel_gain}
    tot=sum(ch.values())
    c = sum(o.deficit_sum for o in obs)/np.maximum(sum(o.deficit_n for o in obs),1)
    tt=np.arange(53); ok=c[:53]>0
    rate = -np.polyfit(tt[ok], np.log(c[:53][ok]),1)[0]
    WPM=52/12
    hl=[52*np.log(2)/np.log(1/o.unused_left)/WPM if 0<o.unused_left<1 else np.inf for o in obs]
    print(f"{v:10s} {el:5.1f}s hours {np.mean([o.learning_hours for o in obs]):.1f} spend {np.mean([o.spend_per_employee for o in obs]):.0f} turn {np.mean([o.turnover for o in obs]):.3f}",
      "shares", {k: round(x/tot,3) for k,x in ch.items()}, "def0", round(c[0],3), "T90", round(np.log(10)/rate,1) if rate>0 else np.inf,
      "transfer", {w: round(np.mean([o.transfer_left[w] for o in obs]),3) for w in (4,26,52)},
      "hl", np.round(hl,1), "d", np.round([o.mindset_d for o in obs],3),
      "gap y1", round(np.mean([o.gap[1:53].mean() for o in obs]),4), "y2", round(np.mean([o.gap[53:105].mean() for o in obs]),4), "y5", round(np.mean([o.gap[-52:].mean() for o in obs]),4), flush=True)
