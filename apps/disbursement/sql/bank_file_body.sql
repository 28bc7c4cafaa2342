-- The bank file's lines after 序号 (numbered while streaming: a window function would sort), for
-- COPY … (FORMAT csv, DELIMITER E'\x1f'): bankfile.BodyStream turns the separators into commas.
-- 补贴项目代码, 补贴项目名称, 发放期号, 所属区划 and 备注 leave as one column already laid out as CSV
-- (`details`, four commas): COPY spends as much on each column it writes as on a lookup, and a
-- line of the run's own month (almost all of them) gets its details as one literal (`this_month`:
-- a CASE on its programme, then on its town; bankfile.DETAILS_CASE_LIMIT). The names in it were
-- quoted for CSV where needed when the query was built.
-- COPY … TO STDOUT takes no bound parameters: every placeholder is filled with literals that
-- psycopg quoted (bankfile.body_query), never with text pasted as it is.
-- Text that people typed (payee and bank names, the town and programme names) comes neutralised
-- against spreadsheet formulas (apps.core.exports.neutralise_sql); amounts and accounts as they are.
SELECT {payee_name} AS payee_name,
       nullif(l.id_number, '') AS id_number,
       nullif(l.bank_account, '') AS bank_account,
       {bank_name} AS bank_name,
       l.amount,
       CASE WHEN l.line_type = 'regular' AND l.period = {period} THEN {this_month}
            ELSE {programme} || to_char(l.period, 'YYYYMM') || ',' || {town}
                 || CASE l.line_type WHEN 'arrears' THEN '差额补发' WHEN 'reissue' THEN '补发'
                                     WHEN 'grant' THEN '一次性补助' ELSE '' END
       END AS details,
       l.id
FROM disbursement_paymentline l
-- Held lines (no usable account) never reach the bank: only what the run's control figures count.
-- Two comparisons rather than NOT IN, which walks an array for each line.
WHERE l.run_id = {run} AND l.status <> 'cancelled' AND l.status <> 'held'
ORDER BY l.id
