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
];
