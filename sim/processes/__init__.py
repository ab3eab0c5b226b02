"""The weekly processes, one module each, in the order :meth:`LearningEcosystem.step` runs them.

Every process is a function of the model that updates columns of its state in place and
draws randomness only from its own named stream (``model.streams[<name>]``). Each opens with
a docstring stating the rule, its source (or "assumption"), and what it writes.
"""
