// Migration 013: a counter that every change to what the graph is built from moves, whichever process or code path
// makes it (triggers, not repository code). The build worker keeps the input and graph of its last write and trusts
// them while the counter has not moved since: reading the input back is ~60 ms at upstream scale, more than the
// build of one architecture (services/warm-graph.ts). Embedded as a string so dist/ needs no copied .sql files.
// Never edit once merged: add a new migration instead.
const GRAPH_INPUT_TABLES = [
  'releases', 'channels', 'channel_versions', 'blocked_edges', 'conditional_edges', 'raw_metadata', 'rollouts', 'channel_canaries',
] as const;

const bump = 'UPDATE graph_input_changes SET n = n + 1;';

const triggers = GRAPH_INPUT_TABLES.flatMap((table) =>
  (['INSERT', 'UPDATE', 'DELETE'] as const).map((event) =>
    `CREATE TRIGGER ${table}_${event.toLowerCase()}_counted AFTER ${event} ON ${table} BEGIN ${bump} END;`));

// Of the meta table only the graph-data schema version is graph input.
const metaTriggers = [
  `CREATE TRIGGER meta_insert_counted AFTER INSERT ON meta WHEN NEW.key = 'graph_data.schema_version' BEGIN ${bump} END;`,
  `CREATE TRIGGER meta_update_counted AFTER UPDATE ON meta WHEN NEW.key = 'graph_data.schema_version' OR OLD.key = 'graph_data.schema_version' BEGIN ${bump} END;`,
  `CREATE TRIGGER meta_delete_counted AFTER DELETE ON meta WHEN OLD.key = 'graph_data.schema_version' BEGIN ${bump} END;`,
];

export const sql = `
CREATE TABLE graph_input_changes (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO graph_input_changes (id, n) VALUES (1, 0);
${[...triggers, ...metaTriggers].join('\n')}
`;
