// Copies what tsc does not: node icons (svg/png) and static assets (e.g. the review page's CSS)
// from nodes/ and credentials/ into dist/ with the same relative paths.
const { src, dest, task } = require('gulp');

function copyAssets() {
  return src(['nodes/**/*.{svg,png,css,json}', 'credentials/**/*.{svg,png}'], {
    base: '.',
    encoding: false, // gulp 5 would otherwise re-encode binary icons as UTF-8
  }).pipe(dest('dist'));
}

task('build:assets', copyAssets);
