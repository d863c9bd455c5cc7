"""Ratings (好差评), their rectification and call-back, and complaints (投诉). See docs/ratings.md.

DESIGN.md places ratings under ``supervision/``; they live in an app of their own so that
their migrations stay apart from the supervision app's (traffic lights, rankings).
"""
