"""The published site: the landing page (a national overview of every book built), each area's page
(every year built) and the books' theme fixes."""
