// docnorm review mode: the table editor of a table block (a cell's text, merging and splitting cells, adding and
// deleting rows and columns). review.js draws it inside the block's list item and gives it `edit` (one edit,
// saved at once); every text reaches the page as an input's value, never as markup.
"use strict";

window.DocnormTable = (function () {
  const current = {};  // block id -> the cell last focused, {row, col}

  function covering(table, row, col) {
    return table.cells.find((c) => c.row <= row && row < c.row + c.row_span && c.col <= col && col < c.col + c.col_span);
  }

  // The rectangle covering two cells: what merging them takes.
  function around(a, b) {
    const row = Math.min(a.row, b.row), col = Math.min(a.col, b.col);
    return { row, col, rows: Math.max(a.row + a.row_span, b.row + b.row_span) - row,
             cols: Math.max(a.col + a.col_span, b.col + b.col_span) - col };
  }

  // What each table action sends, for the cell `c` of `block`; null when there is nothing to do.
  const ACTIONS = {
    "merge-right": (block, c) => {
      const next = covering(block.table, c.row, c.col + c.col_span);
      return next ? { op: "merge_cells", block: block.id, ...around(c, next) } : null;
    },
    "merge-down": (block, c) => {
      const next = covering(block.table, c.row + c.row_span, c.col);
      return next ? { op: "merge_cells", block: block.id, ...around(c, next) } : null;
    },
    "split": (block, c) => ({ op: "split_cell", block: block.id, row: c.row, col: c.col }),
    "row-below": (block, c) => ({ op: "insert_row", block: block.id, at: c.row + c.row_span }),
    "row-delete": (block, c) => ({ op: "delete_row", block: block.id, row: c.row }),
    "col-right": (block, c) => ({ op: "insert_col", block: block.id, at: c.col + c.col_span }),
    "col-delete": (block, c) => ({ op: "delete_col", block: block.id, col: c.col }),
  };
  const BUTTONS = [["row-below", "+ row", "insert a row below (Alt+R)"], ["row-delete", "− row", "delete the row (Alt+Shift+R)"],
    ["col-right", "+ column", "insert a column to the right (Alt+C)"], ["col-delete", "− column", "delete the column (Alt+Shift+C)"],
    ["merge-right", "merge →", "merge with the cell to the right (Alt+→)"], ["merge-down", "merge ↓", "merge with the cell below (Alt+↓)"],
    ["split", "split", "split the merged cell (Alt+S)"]];
  // Keys in a cell, with Alt: `code|shift` -> action.
  const KEYS = { "ArrowRight|false": "merge-right", "ArrowDown|false": "merge-down", "KeyS|false": "split",
    "KeyR|false": "row-below", "KeyR|true": "row-delete", "KeyC|false": "col-right", "KeyC|true": "col-delete" };

  function act(name, block, edit, say) {
    const spot = current[block.id] || { row: 0, col: 0 };
    const cell = covering(block.table, spot.row, spot.col) || block.table.cells[0];
    const change = cell && ACTIONS[name](block, cell);
    if (!change) { say("there is no cell there to merge with"); return; }
    edit(change);
  }

  function cellInput(block, cell, edit, say) {
    const input = document.createElement("input");
    input.type = "text";
    input.className = "cell-text";
    input.value = cell.text;
    input.dataset.orig = cell.text;
    input.dataset.focusKey = `cell:${block.id}:${cell.row}:${cell.col}`;
    input.setAttribute("aria-label", `row ${cell.row + 1}, column ${cell.col + 1}`);
    const save = () => {
      if (input.isConnected && input.value !== input.dataset.orig) {
        input.dataset.orig = input.value;
        edit({ op: "set_cell", block: block.id, row: cell.row, col: cell.col, text: input.value });
      }
    };
    input.addEventListener("focus", () => { current[block.id] = { row: cell.row, col: cell.col }; });
    input.addEventListener("change", save);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); save(); return; }
      const name = event.altKey && KEYS[`${event.code}|${event.shiftKey}`];
      if (!name) return;
      event.preventDefault();
      event.stopPropagation();
      save();
      act(name, block, edit, say);
    });
    return input;
  }

  // The editor: a toolbar and the grid, every cell an input placed with its spans.
  function render(block, edit, say) {
    const box = document.createElement("div");
    box.className = "table-editor";
    const tools = document.createElement("div");
    tools.className = "table-tools";
    for (const [name, label, title] of BUTTONS) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.action = name;
      button.textContent = label;
      button.title = title;
      button.addEventListener("click", () => act(name, block, edit, say));
      tools.append(button);
    }
    const grid = document.createElement("table");
    grid.className = "table-grid";
    const rows = Array.from({ length: block.table.n_rows }, () => []);
    for (const cell of block.table.cells) if (rows[cell.row]) rows[cell.row].push(cell);
    for (const cells of rows) {
      const tr = document.createElement("tr");
      cells.sort((a, b) => a.col - b.col);
      for (const cell of cells) {
        const td = document.createElement("td");
        td.rowSpan = cell.row_span;
        td.colSpan = cell.col_span;
        td.dataset.row = cell.row;
        td.dataset.col = cell.col;
        if (cell.header) td.className = "header";
        td.append(cellInput(block, cell, edit, say));
        tr.append(td);
      }
      grid.append(tr);
    }
    const size = document.createElement("span");
    size.className = "table-size";
    size.textContent = `${block.table.n_rows} × ${block.table.n_cols}`;
    tools.append(size);
    box.append(tools, grid);
    return box;
  }

  return { render };
})();
