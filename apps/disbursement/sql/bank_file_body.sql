-- The bank file's columns after 序号 (numbered while streaming: a window function would sort).
-- Run through COPY … TO STDOUT, which takes no bound parameters: every placeholder is filled
-- with literals that psycopg quoted (bankfile.body_query), never with text pasted as it is.
-- Text that people typed (payee and bank names, the town and programme names) comes neutralised
-- against spreadsheet formulas (apps.core.exports.neutralise_sql); amounts and accounts as they are.
SELECT {payee_name} AS "姓名",
       nullif(l.id_number, '') AS "公民身份号码",
       nullif(l.bank_account, '') AS "社保卡号/银行账号",
       {bank_name} AS "开户行",
       l.amount AS "金额",
       {programme_code} AS "补贴项目代码",
       {programme_name} AS "补贴项目名称",
       CASE WHEN l.period = {period} THEN {period_number} ELSE to_char(l.period, 'YYYYMM') END AS "发放期号",
       {town} AS "所属区划",
       CASE l.line_type WHEN 'regular' THEN NULL WHEN 'arrears' THEN '差额补发' WHEN 'reissue' THEN '补发'
                        WHEN 'grant' THEN '一次性补助' END AS "备注",
       l.id AS "明细编号"
FROM disbursement_paymentline l
-- Held lines (no usable account) never reach the bank: only what the run's control figures count.
WHERE l.run_id = {run} AND l.status NOT IN ('cancelled', 'held')
ORDER BY l.id
