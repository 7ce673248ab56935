"""Delegate proposals (人大代表建议, 政协委员提案) and the replies to them.

models: sessions, proposals, replies, co-handling opinions (tables of the ``disclosure`` app);
services: the writes (a reply and its document, opinions, feedback, the letter import);
letters: reading a pasted reply letter into its parts; admin, forms, views, urls.
"""
