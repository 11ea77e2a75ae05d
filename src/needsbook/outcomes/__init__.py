"""Children's outcomes benchmarked against England, region and statistical neighbours.

``catalogue`` loads the indicator catalogue (``data/indicators.yml``); ``compare`` computes
values, benchmarks, comparisons and trends for every area; ``findings`` turns them into
structured findings and plain-English sentences; ``stars`` builds the outcome-star domain
scores; ``charts`` draws the chapter's figures.
"""
