"""The province benchmark's fixture is sized as the scale issue says, and the same on every machine."""

from benchmarks.province_fixture import sizes


def test_150_bureaus_three_of_a_million_the_rest_between_5000_and_30000():
    s = sizes(bureaus=150, big=3, big_size=1_000_000, seed=1)
    small = s[3:]
    assert len(s) == 150 and s[:3] == [1_000_000] * 3
    assert min(small) >= 5_000 and max(small) <= 30_000
    # About 13,600 on average, about 5,000,000 in all (seed 1: 13,224 and 4,943,974).
    assert 12_500 <= sum(small) / len(small) <= 14_500
    assert sum(s) == 4_943_974
    assert sizes(seed=1) == s and sizes(seed=2) != s
