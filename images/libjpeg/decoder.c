/*
 * The JPEG decoder of images/jpeg-decoder.ts: libjpeg-turbo's own decompressor driven through its public API,
 * built to WebAssembly by scripts/build-libjpeg-wasm.sh. What this file adds to libjpeg is only the glue a
 * Worker needs:
 * - input is pulled from JS in 64 KiB pieces (jd_read), so the upload is never copied whole into wasm memory;
 * - errors and warnings go to JS (jd_fail throws there and unwinds this stack; the caller then drops the
 *   instance, so no setjmp is needed); a starved scan ("premature end") is an error, not a grey half image;
 * - DCT scaling (scale_num/scale_denom) and a region copy: every row is decoded, but only the rectangle the
 *   resize reads is kept, so the output buffer is a few MB whatever the photo's size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "jpeglib.h"
#include "jerror.h"

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

/* Throws a JS Error with the message; never returns. */
IMPORT(jd_fail) __attribute__((noreturn)) void jd_fail(const char *message);
/* A libjpeg warning the decode survived (e.g. extraneous bytes before a marker). */
IMPORT(jd_warn) void jd_warn(const char *message);
/* Copies up to `size` more bytes of the file into `buffer`; 0 at the end of the file. */
IMPORT(jd_read) size_t jd_read(JOCTET *buffer, size_t size);

static struct jpeg_decompress_struct cinfo;
static struct jpeg_error_mgr jerr;
static struct jpeg_source_mgr source;
static JOCTET input[65536];
static int active = 0;

/* jd_open's answer: width, height, components, jpeg_color_space, progressive, multi-scan coefficient bytes. */
static double header[6];
/* jd_start's answer: output width and height after DCT scaling. */
static double output[2];

static void error_exit(j_common_ptr c) {
  char message[JMSG_LENGTH_MAX];
  (*c->err->format_message)(c, message);
  jd_fail(message);
}

static void emit_message(j_common_ptr c, int level) {
  char message[JMSG_LENGTH_MAX];
  if (level >= 0) return; /* trace output */
  (*c->err->format_message)(c, message);
  /* libjpeg fills the rest of a starved scan with grey and goes on; for us the file is damaged. */
  if (c->err->msg_code == JWRN_HIT_MARKER || c->err->msg_code == JWRN_JPEG_EOF) jd_fail(message);
  c->err->num_warnings++;
  jd_warn(message);
}

static void output_message(j_common_ptr c) {
  char message[JMSG_LENGTH_MAX];
  (*c->err->format_message)(c, message);
  jd_warn(message);
}

static void init_source(j_decompress_ptr c) { (void)c; }
static void term_source(j_decompress_ptr c) { (void)c; }

static boolean fill_input_buffer(j_decompress_ptr c) {
  size_t n = jd_read(input, sizeof input);
  if (n == 0) {
    WARNMS(c, JWRN_JPEG_EOF); /* fatal in emit_message */
    input[0] = 0xFF;
    input[1] = JPEG_EOI;
    n = 2;
  }
  c->src->next_input_byte = input;
  c->src->bytes_in_buffer = n;
  return TRUE;
}

static void skip_input_data(j_decompress_ptr c, long num_bytes) {
  if (num_bytes <= 0) return;
  while (num_bytes > (long)c->src->bytes_in_buffer) {
    num_bytes -= (long)c->src->bytes_in_buffer;
    fill_input_buffer(c);
  }
  c->src->next_input_byte += num_bytes;
  c->src->bytes_in_buffer -= (size_t)num_bytes;
}

EXPORT(jd_close) void jd_close(void) {
  if (active) jpeg_destroy_decompress(&cinfo);
  active = 0;
}

/*
 * Reads the headers up to the first scan. The last field is what libjpeg will allocate for a whole-image
 * coefficient buffer (progressive or multi-scan files, at full resolution whatever the scale), 0 otherwise.
 */
EXPORT(jd_open) double *jd_open(void) {
  int i;
  double coefficients = 0;
  jd_close();
  cinfo.err = jpeg_std_error(&jerr);
  jerr.error_exit = error_exit;
  jerr.emit_message = emit_message;
  jerr.output_message = output_message;
  jpeg_create_decompress(&cinfo);
  active = 1;
  source.init_source = init_source;
  source.fill_input_buffer = fill_input_buffer;
  source.skip_input_data = skip_input_data;
  source.resync_to_restart = jpeg_resync_to_restart;
  source.term_source = term_source;
  source.bytes_in_buffer = 0;
  source.next_input_byte = NULL;
  cinfo.src = &source;
  jpeg_read_header(&cinfo, TRUE);
  if (jpeg_has_multiple_scans(&cinfo)) {
    for (i = 0; i < cinfo.num_components; i++) {
      jpeg_component_info *comp = &cinfo.comp_info[i];
      double w = (double)((comp->width_in_blocks + comp->h_samp_factor - 1) / comp->h_samp_factor * comp->h_samp_factor);
      double h = (double)((comp->height_in_blocks + comp->v_samp_factor - 1) / comp->v_samp_factor * comp->v_samp_factor);
      coefficients += w * h * sizeof(JBLOCK);
    }
  }
  header[0] = cinfo.image_width;
  header[1] = cinfo.image_height;
  header[2] = cinfo.num_components;
  header[3] = cinfo.jpeg_color_space;
  header[4] = cinfo.progressive_mode;
  header[5] = coefficients;
  return header;
}

/* Starts decompression to RGB at 1/scale_denom (1, 2, 4 or 8), libjpeg's default IDCT and fancy upsampling. */
EXPORT(jd_start) double *jd_start(int scale_denom, double max_memory) {
  cinfo.scale_num = 1;
  cinfo.scale_denom = (unsigned int)scale_denom;
  cinfo.out_color_space = JCS_RGB;
  cinfo.mem->max_memory_to_use = (long)max_memory;
  jpeg_start_decompress(&cinfo);
  output[0] = cinfo.output_width;
  output[1] = cinfo.output_height;
  return output;
}

/*
 * Decodes every row to the end of the file and keeps columns [x0, x0 + w) of rows [y0, y0 + h) in `out`, packed
 * RGB, w * 3 bytes a row. Reading on past the region keeps libjpeg's end-of-file checks (warnings, damage).
 */
EXPORT(jd_read_region) void jd_read_region(JSAMPLE *out, int x0, int y0, int w, int h) {
  JSAMPARRAY row = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE, cinfo.output_width * 3, 1);
  while (cinfo.output_scanline < cinfo.output_height) {
    int y = (int)cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, row, 1);
    if (y >= y0 && y < y0 + h) memcpy(out + (size_t)(y - y0) * w * 3, row[0] + (size_t)x0 * 3, (size_t)w * 3);
  }
  jpeg_finish_decompress(&cinfo);
  jd_close();
}
