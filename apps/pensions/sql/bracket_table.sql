-- pe_bracket: the 高龄津贴 brackets as birth-date ranges on `today` (filled by the engine, one row each).
CREATE TEMP TABLE pe_bracket (variant text, lo int, hi int, max_birth date, min_birth date) ON COMMIT DROP
