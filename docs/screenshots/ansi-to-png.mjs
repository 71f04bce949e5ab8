// Renders a tmux capture (`tmux capture-pane -e -p`: text with SGR colour codes) to a PNG.
// anser parses the escape codes into styled runs, this file lays the runs out on a fixed grid as SVG
// (one cell per character: DejaVu Sans Mono gives every glyph, box drawing included, the same advance),
// and resvg rasterises the SVG with that font.
// Usage: node ansi-to-png.mjs CAPTURE.ansi OUTPUT.png
import { readFileSync, writeFileSync } from 'node:fs';
import Anser from 'anser';
import { Resvg } from '@resvg/resvg-js';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
    console.error('usage: node ansi-to-png.mjs CAPTURE.ansi OUTPUT.png');
    process.exit(2);
}

const fontDirectory = '/usr/share/fonts/truetype/dejavu';
const fontSize = 14;
const cellWidth = fontSize * 0.6021; // DejaVu Sans Mono's advance width is 1233/2048 em.
const lineHeight = Math.round(fontSize * 1.17); // ascent + descent, so box-drawing lines join up
const padding = 12;
const background = '#1e1e1e';
const foreground = '#d4d4d4';

// Trailing blank lines of the pane are not part of the picture.
const text = readFileSync(input, 'utf8').replace(/(\s|\x1b\[[0-9;]*m)+$/, '');
const runs = Anser.ansiToJson(text, { json: true, remove_empty: true, use_classes: false });

const escape = value => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const rgb = value => `rgb(${value})`;

const elements = [];
let row = 0;
let column = 0;
let columns = 0;
for (const run of runs) {
    const style = new Set(run.decorations);
    const pieces = run.content.split('\n');
    pieces.forEach((piece, index) => {
        if (index > 0) {
            row += 1;
            column = 0;
        }

        const characters = [...piece];
        if (characters.length === 0) {
            return;
        }

        const x = padding + column * cellWidth;
        const top = padding + row * lineHeight;
        const width = characters.length * cellWidth;
        let fill = run.fg ? rgb(run.fg) : foreground;
        let back = run.bg ? rgb(run.bg) : null;
        if (run.isInverted) {
            [fill, back] = [back ?? background, fill];
        }

        if (back) {
            elements.push(`<rect x="${x.toFixed(2)}" y="${top}" width="${width.toFixed(2)}" height="${lineHeight}" fill="${back}"/>`);
        }

        if (piece.trim().length > 0) {
            const attributes = [
                `x="${x.toFixed(2)}"`,
                `y="${(top + fontSize * 0.93).toFixed(2)}"`,
                `fill="${fill}"`,
                style.has('bold') ? 'font-weight="bold"' : '',
                style.has('italic') ? 'font-style="italic"' : '',
                style.has('underline') ? 'text-decoration="underline"' : '',
                style.has('dim') ? 'fill-opacity="0.6"' : '',
            ].filter(Boolean).join(' ');
            elements.push(`<text ${attributes}>${escape(piece)}</text>`);
        }

        column += characters.length;
        columns = Math.max(columns, column);
    });
}

const width = Math.ceil(2 * padding + columns * cellWidth);
const height = 2 * padding + (row + 1) * lineHeight;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans Mono" font-size="${fontSize}" xml:space="preserve">
<rect width="100%" height="100%" fill="${background}"/>
${elements.join('\n')}
</svg>`;

const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: {
        loadSystemFonts: false,
        defaultFontFamily: 'DejaVu Sans Mono',
        fontFiles: ['DejaVuSansMono.ttf', 'DejaVuSansMono-Bold.ttf', 'DejaVuSansMono-Oblique.ttf', 'DejaVuSansMono-BoldOblique.ttf']
            .map(name => `${fontDirectory}/${name}`),
    },
}).render().asPng();
writeFileSync(output, png);
