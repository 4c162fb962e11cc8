'use strict';
// Fixes applied to FerretDB's source before scripts/setup.js builds the embedded store. Each is an exact
// text replacement that must match once: a FerretDB upgrade that changed the code fails the build
// loudly instead of silently shipping without the fix. Plain Node (setup runs before node_modules).

/** The module these patches are written against (tools/ferretdb/go.mod requires the same version). */
exports.MODULE = 'github.com/FerretDB/FerretDB';
exports.VERSION = 'v1.24.2';

exports.PATCHES = [
  {
    // An update command keeps every statement's query cursor open until the whole command returns
    // (`defer` inside the statement loop), and each open cursor holds one of the 100 SQLite connections
    // of the database's pool. One command of 100 statements, or a few concurrent commands of 50, hold
    // them all while each still needs one more for its write transaction: every writer of that database
    // then waits for ever (no timeout in database/sql). Closing each statement's cursor once the
    // statement is done bounds a command to two connections, as a single-statement update already is.
    file: 'internal/handler/msg_update.go',
    find: '\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n\n\t\tcloser.Add(res.Iter)\n',
    replace: '\t\tcloser := iterator.NewMultiCloser()\n\n\t\tcloser.Add(res.Iter)\n',
  },
  {
    file: 'internal/handler/msg_update.go',
    find: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
    replace:
      '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\t// crm-gateway patch: release this statement\'s cursor now, not when the command ends.\n\t\tcloser.Close()\n',
  },
  {
    // Every lookup by `_id` scanned the whole table: queries compare `sjson->'$._id'` while the unique
    // index FerretDB creates for `_id` is on `sjson->"_id"`, and SQLite uses an expression index only
    // for the same expression. `->'_id'` is the same value (a bare label means `$.<label>`) in the
    // index's form, so `{_id: …}` finds, updates and deletes become index searches (EXPLAIN QUERY PLAN:
    // SEARCH … USING INDEX …__id_ instead of SCAN).
    file: 'internal/backends/sqlite/metadata/metadata.go',
    find: `\tIDColumn = DefaultColumn + "->'$._id'"\n`,
    replace: `\tIDColumn = DefaultColumn + "->'_id'" // crm-gateway patch: the form of the _id index\n`,
  },
  {
    // Only `{_id: <string>}` reached SQLite as a WHERE clause; `{_id: {$in: [...]}}` — how snapshots
    // and change events are read by the batch (src/store/repositories/record-snapshots.repo.ts,
    // change-events.repo.ts) — decoded the whole collection in Go. A list of strings now becomes an
    // `IN` over the _id index. The handler filters every fetched document again in Go, so this only has
    // to return a superset of the matches, which an exact list of the JSON-encoded ids is.
    file: 'internal/backends/sqlite/collection.go',
    find: '\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}\n',
    replace:
      '\t\tswitch v := v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause = fmt.Sprintf(` WHERE %s = ?`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\tcase *types.Document:\n\t\t\t// crm-gateway patch: {_id: {$in: [strings]}} searches the _id index.\n\t\t\twhereClause, args = idInClause(v)\n\t\t}\n',
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    find: '// InsertAll implements backends.Collection interface.\n',
    replace:
      '// idInClause is a crm-gateway patch: `WHERE _id IN (…)` for `{$in: [strings]}` (at most 1,000, well\n// under SQLite\'s bound variables), else no clause (the handler filters in Go).\nfunc idInClause(filter *types.Document) (string, []any) {\n\tif filter.Len() != 1 {\n\t\treturn "", nil\n\t}\n\tlist, _ := filter.Get("$in")\n\tarr, ok := list.(*types.Array)\n\tif !ok || arr.Len() == 0 || arr.Len() > 1000 {\n\t\treturn "", nil\n\t}\n\tmarks := make([]string, arr.Len())\n\targs := make([]any, arr.Len())\n\tfor i := 0; i < arr.Len(); i++ {\n\t\ts, isString := must.NotFail(arr.Get(i)).(string)\n\t\tif !isString {\n\t\t\treturn "", nil\n\t\t}\n\t\tmarks[i] = "?"\n\t\targs[i] = string(must.NotFail(sjson.MarshalSingleValue(s)))\n\t}\n\treturn fmt.Sprintf(` WHERE %s IN (%s)`, metadata.IDColumn, strings.Join(marks, ", ")), args\n}\n\n// InsertAll implements backends.Collection interface.\n',
  },
  {
    // Each document an update statement changed was written in a transaction of its own (one
    // `UpdateAll` per document), so an updateMany of 200 documents was 200 SQLite write transactions, as
    // slow as 200 statements. The documents a statement changes are now written together, in one
    // `UpdateAll` (one transaction) once the statement's cursor is exhausted: the write engine claims a
    // batch with one `{_id: {$in}}` updateMany (src/store/repositories/write-batch-claim.ts). Matched and
    // modified counts are unchanged; an upsert (no match) is unchanged; findAndModify changes one document.
    file: 'internal/handler/common/update.go',
    find: '\tresult := new(UpdateResult)\n\n\tisFindAndModify := (strings.ToLower(cmd) == "findandmodify")\n',
    replace:
      '\tresult := new(UpdateResult)\n\n\tisFindAndModify := (strings.ToLower(cmd) == "findandmodify")\n\t// crm-gateway patch: the documents this statement changed, written in one transaction at the end.\n\tvar changed []*types.Document\n',
  },
  {
    file: 'internal/handler/common/update.go',
    find: '\t\t\tif !upsert {\n\t\t\t\treturn result, nil\n\t\t\t}\n',
    replace:
      '\t\t\tif !upsert {\n\t\t\t\tif len(changed) > 0 {\n\t\t\t\t\tif _, err = c.UpdateAll(ctx, &backends.UpdateAllParams{Docs: changed}); err != nil {\n\t\t\t\t\t\treturn nil, lazyerrors.Error(err)\n\t\t\t\t\t}\n\t\t\t\t}\n\n\t\t\t\treturn result, nil\n\t\t\t}\n',
  },
  {
    file: 'internal/handler/common/update.go',
    find: '\t\t} else if modified {\n\t\t\t_, err := c.UpdateAll(ctx, &backends.UpdateAllParams{Docs: []*types.Document{doc}})\n\t\t\tif err != nil {\n\t\t\t\treturn nil, lazyerrors.Error(err)\n\t\t\t}\n\n\t\t\tresult.Modified.Count++\n',
    replace:
      '\t\t} else if modified {\n\t\t\tchanged = append(changed, doc)\n\n\t\t\tresult.Modified.Count++\n',
  },
];
