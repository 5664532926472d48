/** @module The upload page (self-contained: no CDN, no framework). */
export const UPLOAD_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WebGPU classifier</title></head>
<body><h1>WebGPU classifier</h1><p>POST an image: <code>curl -F file=@photo.jpg http://localhost:8787</code></p></body></html>`;
