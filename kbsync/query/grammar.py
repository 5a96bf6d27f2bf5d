"""DQL, Dataview's query language, as a lark LALR grammar (kept in Python so it ships with the package)."""

GRAMMAR = r"""
start: header from_clause? command*
expr_only: expr  // a lone expression: Obsidian Bases filters and formulas

header: LIST [without_id] [expr]            -> list_header
      | TABLE [without_id] [table_col ("," table_col)*] -> table_header
      | TASK                              -> task_header
      | CALENDAR expr                     -> calendar_header
without_id: WITHOUT ID
table_col: expr (AS (STRING | NAME))?

from_clause: FROM source
?source: src_and | source OR src_and      -> src_or
?src_and: src_not | src_and AND src_not   -> src_and
?src_not: src_atom | ("-" | "!") src_not  -> src_neg
?src_atom: TAG                            -> src_tag
         | STRING                         -> src_folder
         | LINK                           -> src_link
         | OUTGOING "(" LINK ")"          -> src_outgoing
         | "(" source ")"

command: WHERE expr                       -> where
       | SORT sort_key ("," sort_key)*    -> sort
       | LIMIT expr                       -> limit
       | GROUP BY expr (AS NAME)?         -> group
       | FLATTEN expr (AS NAME)?          -> flatten
sort_key: expr DIRECTION?

?expr: or_expr
?or_expr: and_expr | or_expr (OR | "||" | "|") and_expr -> or_
?and_expr: cmp_expr | and_expr (AND | "&&" | "&") cmp_expr -> and_
?cmp_expr: add_expr | cmp_expr CMP add_expr -> cmp
?add_expr: mul_expr | add_expr ADDOP mul_expr -> arith
?mul_expr: unary | mul_expr MULOP unary -> arith
?unary: postfix | "!" unary -> not_ | "-" unary -> neg
?postfix: atom
        | postfix "." NAME "(" [expr ("," expr)*] ")" -> method
        | postfix "." NAME                -> member
        | postfix "[" expr "]"            -> index
        | NAME "(" [expr ("," expr)*] ")" -> call
?atom: NUMBER                             -> number
     | STRING                             -> string
     | TRUE                               -> true
     | FALSE                              -> false
     | NULL                               -> null
     | LINK                               -> link
     | DATE_LIT                           -> date_lit
     | DUR_LIT                            -> dur_lit
     | NAME                               -> var
     | "[" [expr ("," expr)*] "]"         -> list
     | "{" [pair ("," pair)*] "}"         -> obj
     | LAMBDA expr                        -> lambda_
     | "(" expr ")"
pair: (NAME | STRING) ":" expr

LIST.2: /list\b/i
TABLE.2: /table\b/i
TASK.2: /task\b/i
CALENDAR.2: /calendar\b/i
WITHOUT.2: /without\b/i
ID.2: /id\b/i
AS.2: /as\b/i
FROM.2: /from\b/i
WHERE.2: /where\b/i
SORT.2: /sort\b(?!\s*\()/i  // sort(...) is also a function
LIMIT.2: /limit\b/i
GROUP.2: /group\b/i
BY.2: /by\b/i
FLATTEN.2: /flatten\b/i
OUTGOING.2: /outgoing\b/i
OR.2: /or\b/i
AND.2: /and\b/i
TRUE.2: /true\b/i
FALSE.2: /false\b/i
NULL.2: /null\b/i
DIRECTION.2: /(asc|desc)(ending)?\b/i
DATE_LIT.3: /date\(\s*(today|now|tomorrow|yesterday|sow|eow|som|eom|soy|eoy|\d{4}-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)\s*\)/i
DUR_LIT.3: /dur\(\s*-?\d+(\.\d+)?\s*[a-z]+(\s*,?\s*(and\s+)?-?\d+(\.\d+)?\s*[a-z]+)*\s*\)/i
LAMBDA.3: /\(\s*[^\W\d]\w*(\s*,\s*[^\W\d]\w*)*\s*\)\s*=>/
CMP: /!=|<=|>=|==|=|<|>/
ADDOP: "+" | "-"
MULOP: "*" | "/" | "%"
NUMBER: /\d+(\.\d+)?/
STRING: /"(?:[^"\\\n]|\\.)*"/ | /'(?:[^'\\\n]|\\.)*'/
LINK: /!?\[\[[^\[\]\n]*\]\]/
TAG: /#[^\s,()"\[\]]+/
NAME: /[^\W\d][\w-]*/

%ignore /\s+/
%ignore /\/\/[^\n]*/
"""
