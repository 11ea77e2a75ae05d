"""The Healthy Child Programme page's facts and the local early help offer: the programme's
levels, contacts, pathways and health visiting roles (``healthy_child_programme.yml`` in
``data/evidence``), the words of the offer's outcome domains, and the offer mapped against the
outcomes of concern.

Nothing is imported at package level: the local data validator reads :mod:`needsbook.offer.terms`.
"""
