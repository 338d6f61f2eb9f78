/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/dwarf_loc.c - parameter locations at a function's entry
 * and result locations at its return instructions.
 *
 * Stack-slot convention (see value.h): a LUTGEN_PIECE_STACK offset is
 * relative to SP at the function's first instruction.  Go's DWARF
 * expresses stack parameters relative to the CFA (DW_OP_call_frame_cfa,
 * or DW_OP_fbreg with DW_AT_frame_base = DW_OP_call_frame_cfa).  Go's
 * .debug_frame CIE puts the CFA at SP + the return-address size on x86
 * (amd64 8, 386 4: 0(SP) is the return address) and at SP on the
 * link-register arches, so stack_offset = cfa_offset + abi.cfa_to_sp.
 * Verified against the disassembly of go1.15 (stack ABI) binaries: amd64
 * `MOVQ 8(SP), AX` loads the first int argument whose DWARF location is
 * DW_OP_call_frame_cfa; arm64 `ldr x1, [sp, #8]` loads the first one,
 * described as DW_OP_fbreg +8.
 *
 * Results: Go's DWARF gives results no location at the return (ABI0: an
 * empty location; register ABI: the spill slot in the frame), so they are
 * placed by Go's calling convention (abi-internal.md), from the types the
 * DWARF gives: with ABI0 every argument and result on the stack in order
 * from the first argument slot, each aligned to its type, results starting
 * at a pointer-aligned offset after the arguments; with the register ABI
 * each value in the next integer or floating-point registers (struct
 * fields and array elements of length-1 arrays one by one; a value that
 * does not fit, or an array longer than 1, on the stack), results from the
 * first register again.  Which convention a function uses is measured (its
 * parameters' entry locations, else the binary's), and the placement of the
 * arguments is checked against every location the DWARF gives for them
 * before the results are answered.
 */
#include <ctype.h>
#include <dwarf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/measure/dwarf_internal.h"

/* Bound on the operations of a block-form location expression. */
#define LUTGEN_MAX_OPS 64

/* Bound on the nesting of types the ABI model walks. */
#define LUTGEN_ABI_MAX_DEPTH 32

/* One formal parameter of a function: argument or result. */
struct formal {
	struct lutgen_param p;   /* name, size, entry pieces (arguments) */
	Dwarf_Die type;
	uint64_t align;
	bool result;
};

struct formals {
	struct formal *v;
	size_t n;
	Dwarf_Addr lowpc, highpc;
	const char *function;
};

static void formals_free(struct formals *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].p.name);
		free(fs->v[i].p.pieces);
	}
	free(fs->v);
	fs->v = NULL;
	fs->n = 0;
}

static int push_piece(struct lutgen_param *p, const struct lutgen_piece *pc)
{
	struct lutgen_piece *np;

	np = realloc(p->pieces, (p->npieces + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	p->pieces = np;
	p->pieces[p->npieces++] = *pc;
	return 0;
}

static void reg_piece(const struct lutgen_dwarf *d, struct lutgen_piece *pc,
		      int reg, uint64_t size)
{
	memset(pc, 0, sizeof(*pc));
	pc->kind = LUTGEN_PIECE_REG;
	pc->reg = reg;
	pc->size = size;
	lutgen_abi_reg_name(d->arch, reg, pc->reg_name, sizeof(pc->reg_name));
}

static void stack_piece(struct lutgen_piece *pc, int64_t off, uint64_t size)
{
	memset(pc, 0, sizeof(*pc));
	pc->kind = LUTGEN_PIECE_STACK;
	pc->reg = -1;
	pc->stack_offset = off;
	pc->size = size;
}

/* ---- location expressions ---- */

enum loc_state { LOC_NONE, LOC_REG, LOC_CFA, LOC_SP };

struct loc_eval {
	enum loc_state st;
	int64_t off;
	int reg;
	bool have_const;
	int64_t konst;
	bool hole;      /* an earlier piece had no location */
};

/* Close the current piece (DW_OP_piece `size`, or the whole value). */
static int loc_piece(const struct lutgen_dwarf *d, struct loc_eval *e,
		     uint64_t size, struct lutgen_param *p, const char **why)
{
	struct lutgen_piece pc;
	bool hole;
	int rc = 0;

	if (e->st == LOC_NONE) {
		e->hole = true;  /* fine if nothing located follows */
	} else if (e->hole) {
		*why = "part of it has no location at entry (optimized out)";
		return -ENODATA;
	} else if (e->st == LOC_REG) {
		reg_piece(d, &pc, e->reg, size);
		rc = push_piece(p, &pc);
	} else {
		stack_piece(&pc, e->st == LOC_CFA ? e->off + d->arch->cfa_to_sp
						 : e->off, size);
		rc = push_piece(p, &pc);
	}
	hole = e->hole;
	memset(e, 0, sizeof(*e));
	e->hole = hole;
	e->reg = -1;
	return rc;
}

/* One operation; -EOPNOTSUPP for one outside what Go emits. */
static int loc_op(const struct lutgen_dwarf *d, struct loc_eval *e,
		  const Dwarf_Op *op, struct lutgen_param *p, const char **why)
{
	uint8_t a = op->atom;

	if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
		e->st = LOC_REG;
		e->reg = a - DW_OP_reg0;
		return 0;
	}
	if (a >= DW_OP_breg0 && a <= DW_OP_breg31 &&
	    a - DW_OP_breg0 == d->arch->sp_reg) {
		e->st = LOC_SP;
		e->off = (int64_t)op->number;
		return 0;
	}
	switch (a) {
	case DW_OP_regx:
		e->st = LOC_REG;
		e->reg = (int)op->number;
		return 0;
	case DW_OP_call_frame_cfa:
	case DW_OP_fbreg:
		/* frame base checked to be DW_OP_call_frame_cfa */
		e->st = LOC_CFA;
		e->off = a == DW_OP_fbreg ? (int64_t)op->number : 0;
		return 0;
	case DW_OP_plus_uconst:
		if (e->st != LOC_CFA && e->st != LOC_SP)
			break;
		e->off += (int64_t)op->number;
		return 0;
	case DW_OP_consts:
	case DW_OP_constu:
		e->have_const = true;
		e->konst = (int64_t)op->number;
		return 0;
	case DW_OP_plus:
	case DW_OP_minus:
		if ((e->st != LOC_CFA && e->st != LOC_SP) || !e->have_const)
			break;
		e->off += a == DW_OP_plus ? e->konst : -e->konst;
		e->have_const = false;
		return 0;
	case DW_OP_piece:
		return loc_piece(d, e, op->number, p, why);
	default:
		break;
	}
	*why = "unsupported DWARF location operation";
	return -EOPNOTSUPP;
}

/* Turn one location expression (valid at the entry pc) into pieces;
 * `why` receives a short reason on failure.  Trailing pieces without a
 * location (dead words, e.g. a slice's cap) are left out. */
static int eval_location(const struct lutgen_dwarf *d, const Dwarf_Op *ops,
			 size_t n, struct lutgen_param *p, const char **why)
{
	struct loc_eval e;
	size_t i;
	int rc;

	memset(&e, 0, sizeof(e));
	e.reg = -1;
	for (i = 0; i < n; i++) {
		rc = loc_op(d, &e, &ops[i], p, why);
		if (rc < 0)
			return rc;
	}
	if (e.st == LOC_NONE) {
		if (p->npieces == 0 && !e.hole) {
			*why = "empty location expression";
			return -ENODATA;
		}
		return 0;  /* trailing dead pieces, or all of it dead */
	}
	if (p->npieces || e.hole) {
		*why = "location ends without DW_OP_piece after pieces";
		return -EPROTO;
	}
	return loc_piece(d, &e, p->size, p, why);  /* the whole value */
}

static bool is_block_form(unsigned int form)
{
	return form == DW_FORM_block1 || form == DW_FORM_block2 ||
	       form == DW_FORM_block4 || form == DW_FORM_block;
}

static bool read_leb(const unsigned char **p, const unsigned char *end,
		     uint64_t *v, bool is_signed)
{
	unsigned shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (is_signed && shift < 64 && (b & 0x40))
				*v |= ~(uint64_t)0 << shift;
			return true;
		}
	}
	return false;
}

/*
 * Decode a block-form location expression (the operations Go emits).
 * Returns 1 with *nops set, 0 for an empty block (no location),
 * -EOPNOTSUPP for an operation outside that set, -EPROTO if malformed.
 */
static int decode_block(Dwarf_Attribute *a, Dwarf_Op *ops, size_t max,
			size_t *nops)
{
	Dwarf_Block b;
	const unsigned char *p, *end;
	size_t n = 0;

	if (dwarf_formblock(a, &b) != 0)
		return -EPROTO;
	if (b.length == 0)
		return 0;
	p = b.data;
	end = b.data + b.length;
	while (p < end) {
		uint8_t op = *p++;
		bool ok = true;

		if (n == max)
			return -EOPNOTSUPP;
		memset(&ops[n], 0, sizeof(ops[n]));
		ops[n].atom = op;
		if ((op >= DW_OP_reg0 && op <= DW_OP_reg31) ||
		    op == DW_OP_call_frame_cfa || op == DW_OP_plus ||
		    op == DW_OP_minus)
			ok = true;
		else if (op >= DW_OP_breg0 && op <= DW_OP_breg31)
			ok = read_leb(&p, end, &ops[n].number, true);
		else if (op == DW_OP_regx || op == DW_OP_piece ||
			 op == DW_OP_plus_uconst || op == DW_OP_constu)
			ok = read_leb(&p, end, &ops[n].number, false);
		else if (op == DW_OP_fbreg || op == DW_OP_consts)
			ok = read_leb(&p, end, &ops[n].number, true);
		else
			return -EOPNOTSUPP;
		if (!ok)
			return -EPROTO;
		n++;
	}
	*nops = n;
	return 1;
}

static bool frame_base_is_cfa(Dwarf_Die *fn)
{
	Dwarf_Attribute a;
	Dwarf_Block b;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr_integrate(fn, DW_AT_frame_base, &a))
		return false;
	/* DWARF 2/3 block forms are not exprlocs to dwarf_getlocation */
	if (dwarf_formblock(&a, &b) == 0)
		return b.length == 1 && b.data[0] == DW_OP_call_frame_cfa;
	if (dwarf_getlocation(&a, &ops, &n) != 0)
		return false;
	return n == 1 && ops[0].atom == DW_OP_call_frame_cfa;
}

/* The expression that holds at the entry pc: 1 with ops and n set, 0 when the
 * parameter is not live there, or an error. */
static int entry_expr(struct lutgen_dwarf *d, const struct formals *fs,
		      const struct formal *f, Dwarf_Attribute *a,
		      Dwarf_Op *buf, Dwarf_Op **ops, size_t *n,
		      struct common_err *err)
{
	int nloc;

	if (is_block_form(dwarf_whatform(a))) {
		/* DWARF >= 4 forbids block forms for locations, but Go emits
		 * DW_FORM_block1 exprs; libdw refuses them */
		nloc = decode_block(a, buf, LUTGEN_MAX_OPS, n);
		*ops = buf;
		if (nloc == -EOPNOTSUPP)
			return common_err_set(err, -EOPNOTSUPP,
					     "parameter '%s' of %s in %s: unsupported DWARF location operation",
					     f->p.name, fs->function, d->path);
		if (nloc < 0)
			return common_err_set(err, -EPROTO,
					     "location of parameter '%s' of %s in %s: malformed expression",
					     f->p.name, fs->function, d->path);
		return nloc;
	}
	nloc = dwarf_getlocation_addr(a, fs->lowpc, ops, n, 1);
	if (nloc < 0)
		return common_err_set(err, -EPROTO,
				     "location of parameter '%s' of %s in %s: %s",
				     f->p.name, fs->function, d->path,
				     dwarf_errmsg(-1));
	return nloc;
}

/* Refuse what cannot be turned into SP offsets on this arch. */
static int check_frame_ops(const struct lutgen_dwarf *d,
			   const struct formals *fs, const struct formal *f,
			   const Dwarf_Op *ops, size_t n, bool fb_cfa,
			   struct common_err *err)
{
	size_t k;

	for (k = 0; k < n; k++) {
		if (ops[k].atom == DW_OP_fbreg && !fb_cfa)
			return common_err_set(err, -EOPNOTSUPP,
					     "parameter '%s' of %s in %s: DW_OP_fbreg with a frame base other than DW_OP_call_frame_cfa",
					     f->p.name, fs->function, d->path);
		if ((ops[k].atom == DW_OP_fbreg ||
		     ops[k].atom == DW_OP_call_frame_cfa) && !d->arch)
			return common_err_set(err, -EOPNOTSUPP,
					     "parameter '%s' of %s in %s: stack slots on this machine are not supported (not a Linux GOARCH)",
					     f->p.name, fs->function, d->path);
	}
	return 0;
}

/* Entry location of argument `f` into f->p.pieces (none when it is not
 * live at entry). */
/*
 * Go 1.21 describes some multi-word arguments with pieces repeated
 * (database/sql.(*DB).queryDC: ctx RBX, RBX, RCX, RCX for a 16-byte
 * interface; args CFA, CFA, CFA+8, CFA+16 for a 24-byte slice).  Pieces
 * that add up to more than the type's size and to exactly its size once
 * the repeats of the piece before are dropped are that mistake.
 */
static bool same_piece(const struct lutgen_piece *a,
		       const struct lutgen_piece *b)
{
	return a->kind == b->kind && a->reg == b->reg &&
	       a->stack_offset == b->stack_offset && a->size == b->size;
}

static void drop_repeated_pieces(struct lutgen_param *p)
{
	uint64_t total = 0, kept = 0;
	size_t i, n;

	for (i = 0; i < p->npieces; i++) {
		total += p->pieces[i].size;
		if (i == 0 || !same_piece(&p->pieces[i], &p->pieces[i - 1]))
			kept += p->pieces[i].size;
	}
	if (total <= p->size || kept != p->size)
		return;
	for (i = 1, n = 1; i < p->npieces; i++)
		if (!same_piece(&p->pieces[i], &p->pieces[n - 1]))
			p->pieces[n++] = p->pieces[i];
	p->npieces = n;
}

static int entry_location(struct lutgen_dwarf *d, const struct formals *fs,
			  struct formal *f, bool fb_cfa, Dwarf_Die *die,
			  struct common_err *err)
{
	Dwarf_Op blockops[LUTGEN_MAX_OPS], *ops = NULL;
	Dwarf_Attribute a;
	const char *why = NULL;
	size_t n = 0;
	int rc;

	if (!dwarf_attr(die, DW_AT_location, &a))
		return 0;
	rc = entry_expr(d, fs, f, &a, blockops, &ops, &n, err);
	if (rc <= 0)
		return rc;
	rc = check_frame_ops(d, fs, f, ops, n, fb_cfa, err);
	if (rc)
		return rc;
	rc = eval_location(d, ops, n, &f->p, &why);
	if (rc == -ENOMEM)
		return common_err_set(err, rc, "out of memory");
	if (rc < 0)
		return common_err_set(err, rc,
				     "parameter '%s' of %s at entry pc 0x%llx in %s: %s",
				     f->p.name, fs->function,
				     (unsigned long long)fs->lowpc, d->path,
				     why ? why : "bad location");
	drop_repeated_pieces(&f->p);
	return 0;
}

/* One DW_TAG_formal_parameter appended to fs. */
static int add_formal(struct lutgen_dwarf *d, struct formals *fs,
		      Dwarf_Die *c, bool fb_cfa, struct common_err *err)
{
	Dwarf_Attribute a;
	struct formal *nv, *f;
	const char *name;
	bool isres = false;

	nv = realloc(fs->v, (fs->n + 1) * sizeof(*nv));
	if (!nv)
		return common_err_set(err, -ENOMEM, "out of memory");
	fs->v = nv;
	f = &fs->v[fs->n++];
	memset(f, 0, sizeof(*f));
	if (dwarf_attr_integrate(c, DW_AT_variable_parameter, &a) &&
	    dwarf_formflag(&a, &isres) == 0 && isres)
		f->result = true;  /* Go marks results this way */
	name = dwarf_formstring(dwarf_attr_integrate(c, DW_AT_name, &a));
	f->p.name = strdup(name ? name : "");
	if (!f->p.name)
		return common_err_set(err, -ENOMEM, "out of memory");
	if (!dwarf_formref_die(dwarf_attr_integrate(c, DW_AT_type, &a),
			       &f->type) ||
	    lutgen_die_type_size(&f->type, &f->p.size) < 0)
		return common_err_set(err, -EPROTO,
				     "parameter '%s' of %s has no sized type in %s",
				     f->p.name, fs->function, d->path);
	f->align = lutgen_die_type_align(&f->type,
					 d->arch ? d->arch->ptr_size : 8);
	if (f->result)
		return 0;
	return entry_location(d, fs, f, fb_cfa, c, err);
}

/* Every formal parameter of `function`, arguments with their entry
 * locations. */
/*
 * Is the last formal a result listed already?  Go 1.19 to 1.26 list each
 * result of some functions twice (crypto/tls.(*Conn).Write: ~r0, ~r0,
 * ~r1, ~r1, all without a location); the copy is no result of its own.
 */
static bool duplicate_result(const struct formals *fs)
{
	const struct formal *last = &fs->v[fs->n - 1];
	size_t i;

	if (!last->result || !last->p.name)
		return false;
	for (i = 0; i + 1 < fs->n; i++)
		if (fs->v[i].result && fs->v[i].p.name &&
		    strcmp(fs->v[i].p.name, last->p.name) == 0)
			return true;
	return false;
}

static int read_formals(struct lutgen_dwarf *d, const char *function,
			struct formals *fs, struct common_err *err)
{
	Dwarf_Die fn, c;
	bool fb_cfa;
	int rc, r;

	memset(fs, 0, sizeof(*fs));
	fs->function = function;
	rc = lutgen_dwarf_find(d, LUTGEN_WANT_FUNC, function, &fn, err);
	if (rc)
		return rc;
	if (dwarf_lowpc(&fn, &fs->lowpc) != 0 ||
	    dwarf_highpc(&fn, &fs->highpc) != 0)
		return common_err_set(err, -EPROTO,
				     "reading function '%s' in %s: %s", function,
				     d->path, dwarf_errmsg(-1));
	fb_cfa = frame_base_is_cfa(&fn);
	for (r = dwarf_child(&fn, &c); r == 0; r = dwarf_siblingof(&c, &c)) {
		if (dwarf_tag(&c) != DW_TAG_formal_parameter)
			continue;
		rc = add_formal(d, fs, &c, fb_cfa, err);
		if (rc)
			return rc;
		if (duplicate_result(fs)) {
			fs->n--;
			free(fs->v[fs->n].p.name);
			free(fs->v[fs->n].p.pieces);
		}
	}
	if (r < 0)
		return common_err_set(err, -EPROTO,
				     "reading function '%s' in %s: %s", function,
				     d->path, dwarf_errmsg(-1));
	return 0;
}

/*
 * When every located argument lives entirely on the stack (ABI0, or an
 * ABIInternal function whose arguments are all stack-assigned), Go lays
 * them out in order from the first argument slot, each aligned to its
 * type.  Check the DWARF against that layout: Go 1.15 describes a string
 * or slice whose other words are dead by its one surviving word without
 * DW_OP_piece (e.g. "DW_OP_fbreg 16" for a string at CFA+8 whose pointer
 * is unused), which would otherwise yield a wrong offset silently.
 */
static int check_stack_layout(const struct lutgen_dwarf *d,
			      const struct formals *fs,
			      struct common_err *err)
{
	int64_t off = d->arch ? d->arch->first_arg : -1, at;
	size_t i, j;

	if (off < 0)
		return 0;
	for (i = 0; i < fs->n; i++) {
		const struct formal *f = &fs->v[i];

		if (f->result)
			continue;
		/* unknown alignment, or an argument without location (it
		 * may have been register-assigned): cannot check */
		if (f->align == 0 || f->p.npieces == 0)
			return 0;
		for (j = 0; j < f->p.npieces; j++)
			if (f->p.pieces[j].kind != LUTGEN_PIECE_STACK)
				return 0; /* register ABI */
	}
	for (i = 0; i < fs->n; i++) {
		const struct formal *f = &fs->v[i];

		if (f->result)
			continue;
		off = (off + (int64_t)f->align - 1) & ~((int64_t)f->align - 1);
		at = off;
		for (j = 0; j < f->p.npieces; j++) {
			if (f->p.pieces[j].stack_offset != at)
				return common_err_set(err, -EPROTO,
						     "parameter '%s' of %s in %s: DWARF puts byte %lld of it at SP%+lld, but the stack argument layout puts it at SP%+lld (a Go 1.15 DWARF bug describes a string/slice/interface with dead words by one surviving word)",
						     f->p.name, fs->function, d->path,
						     (long long)(at - off),
						     (long long)f->p.pieces[j].stack_offset,
						     (long long)at);
			at += (int64_t)f->p.pieces[j].size;
		}
		off += (int64_t)f->p.size;
	}
	return 0;
}

/* Hand the arguments (results = false) or results of fs over. */
static int take_params(struct formals *fs, bool results,
		       struct lutgen_param **params, size_t *nparams)
{
	struct lutgen_param *ps;
	size_t i, n = 0;

	for (i = 0; i < fs->n; i++)
		n += fs->v[i].result == results;
	ps = calloc(n ? n : 1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < fs->n; i++) {
		if (fs->v[i].result != results)
			continue;
		ps[n++] = fs->v[i].p;
		memset(&fs->v[i].p, 0, sizeof(fs->v[i].p));
	}
	if (n == 0) {
		free(ps);
		ps = NULL;
	}
	*params = ps;
	*nparams = n;
	return 0;
}

int lutgen_dwarf_func_params(struct lutgen_dwarf *d, const char *function,
			     struct lutgen_param **params, size_t *nparams,
			     struct common_err *err)
{
	struct formals fs;
	int rc;

	if (!d || !function || !params || !nparams)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_func_params: NULL argument");
	*params = NULL;
	*nparams = 0;
	rc = read_formals(d, function, &fs, err);
	if (rc == 0)
		rc = check_stack_layout(d, &fs, err);
	if (rc == 0 && take_params(&fs, false, params, nparams) < 0)
		rc = common_err_set(err, -ENOMEM, "out of memory");
	formals_free(&fs);
	return rc;
}

/* ---- Go's calling convention, for results ---- */

struct abi_state {
	const struct lutgen_abi_arch *arch;
	bool regs;          /* register ABI */
	unsigned ni, nf;    /* integer / float registers used */
	int64_t stack;      /* next free stack offset (from SP at entry) */
};

/* A piece of a placed value, with its offset inside the value. */
struct placed {
	struct lutgen_param p;
	uint64_t *at;       /* value offset of each piece */
};

static int place_push(const struct lutgen_dwarf *d, struct placed *v,
		      bool reg, int regno, int64_t stack_off, uint64_t size,
		      uint64_t value_off)
{
	struct lutgen_piece pc;
	uint64_t *na;
	int rc;

	if (reg)
		reg_piece(d, &pc, regno, size);
	else
		stack_piece(&pc, stack_off, size);
	na = realloc(v->at, (v->p.npieces + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	v->at = na;
	v->at[v->p.npieces] = value_off;
	rc = push_piece(&v->p, &pc);
	return rc;
}

static int array_count(Dwarf_Die *arr, uint64_t *count)
{
	Dwarf_Die sub;
	Dwarf_Attribute a;
	Dwarf_Word w;

	if (dwarf_child(arr, &sub) != 0 ||
	    dwarf_tag(&sub) != DW_TAG_subrange_type)
		return -1;
	if (dwarf_attr(&sub, DW_AT_count, &a) && dwarf_formudata(&a, &w) == 0) {
		*count = w;
		return 0;
	}
	if (dwarf_attr(&sub, DW_AT_upper_bound, &a) &&
	    dwarf_formudata(&a, &w) == 0) {
		*count = w + 1;
		return 0;
	}
	return -1;
}

static int reg_assign(const struct lutgen_dwarf *d, Dwarf_Die *type,
		      uint64_t at, struct abi_state *st, struct placed *v,
		      int depth);

/* Words of an integer-class value in integer registers. */
static int reg_ints(const struct lutgen_dwarf *d, uint64_t size, uint64_t at,
		    struct abi_state *st, struct placed *v)
{
	uint64_t ps = st->arch->ptr_size, w;

	for (w = 0; w < size; w += ps) {
		if (st->ni == st->arch->nint)
			return 1;
		if (place_push(d, v, true, st->arch->int_regs[st->ni++], 0,
			       size - w < ps ? size - w : ps, at + w) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int reg_floats(const struct lutgen_dwarf *d, uint64_t size,
		      unsigned n, uint64_t at, struct abi_state *st,
		      struct placed *v)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (st->nf == st->arch->nfloat)
			return 1;
		if (place_push(d, v, true, st->arch->float_regs[st->nf++], 0,
			       size / n, at + i * (size / n)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int reg_struct(const struct lutgen_dwarf *d, Dwarf_Die *t, uint64_t at,
		      struct abi_state *st, struct placed *v, int depth)
{
	Dwarf_Attribute a;
	Dwarf_Die m, mt;
	int r, rc;

	for (r = dwarf_child(t, &m); r == 0; r = dwarf_siblingof(&m, &m)) {
		uint64_t off;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		if (!dwarf_formref_die(dwarf_attr(&m, DW_AT_type, &a), &mt) ||
		    lutgen_die_member_offset(&m, &off) < 0)
			return -EPROTO;
		rc = reg_assign(d, &mt, at + off, st, v, depth + 1);
		if (rc)
			return rc;
	}
	return r < 0 ? -EPROTO : 0;
}

/*
 * Register-assign one value of `type` at offset `at` of the value being
 * placed: 0 done, 1 it does not fit (the caller stack-assigns the whole
 * value), negative on error.
 */
static int reg_assign(const struct lutgen_dwarf *d, Dwarf_Die *type,
		      uint64_t at, struct abi_state *st, struct placed *v,
		      int depth)
{
	Dwarf_Attribute a;
	Dwarf_Word enc = 0;
	Dwarf_Die t = *type, et;
	uint64_t size, count;

	if (depth > LUTGEN_ABI_MAX_DEPTH || lutgen_die_strip_typedefs(&t) < 0 ||
	    lutgen_die_type_size(&t, &size) < 0)
		return -EPROTO;
	if (size == 0)
		return 0;
	switch (dwarf_tag(&t)) {
	case DW_TAG_structure_type:
		return reg_struct(d, &t, at, st, v, depth);
	case DW_TAG_array_type:
		if (array_count(&t, &count) < 0)
			return -EPROTO;
		if (count != 1)
			return 1;
		if (!dwarf_formref_die(dwarf_attr(&t, DW_AT_type, &a), &et))
			return -EPROTO;
		return reg_assign(d, &et, at, st, v, depth + 1);
	case DW_TAG_base_type:
		if (dwarf_attr(&t, DW_AT_encoding, &a))
			dwarf_formudata(&a, &enc);
		if (enc == DW_ATE_float)
			return reg_floats(d, size, 1, at, st, v);
		if (enc == DW_ATE_complex_float)
			return reg_floats(d, size, 2, at, st, v);
		return reg_ints(d, size, at, st, v);
	case DW_TAG_pointer_type:
	case DW_TAG_subroutine_type:
		return reg_ints(d, size, at, st, v);
	default:
		return -EOPNOTSUPP;
	}
}

/* Place one value (argument or result) by Go's rules into *v. */
static int place_value(const struct lutgen_dwarf *d, struct formal *f,
		       struct abi_state *st, struct placed *v)
{
	struct abi_state save = *st;
	int64_t off;
	int rc;

	if (st->regs) {
		rc = reg_assign(d, &f->type, 0, st, v, 0);
		if (rc <= 0)
			return rc;
		/* does not fit: the whole value goes to the stack */
		*st = save;
		free(v->p.pieces);
		free(v->at);
		memset(v, 0, sizeof(*v));
	}
	if (f->align == 0)
		return -EPROTO;
	off = (st->stack + (int64_t)f->align - 1) & ~((int64_t)f->align - 1);
	st->stack = off + (int64_t)f->p.size;
	if (f->p.size == 0)
		return 0;
	return place_push(d, v, false, 0, off, f->p.size, 0) < 0 ? -ENOMEM : 0;
}

/* Does the DWARF's entry location of argument f agree with its placement
 * by the model?  Every located byte must be where the model puts it. */
static bool model_agrees(const struct formal *f, const struct placed *v)
{
	uint64_t at = 0;
	size_t i, j;

	for (i = 0; i < f->p.npieces; i++) {
		const struct lutgen_piece *dp = &f->p.pieces[i];
		bool ok = false;

		for (j = 0; j < v->p.npieces && !ok; j++) {
			const struct lutgen_piece *mp = &v->p.pieces[j];

			if (at < v->at[j] || at >= v->at[j] + mp->size)
				continue;
			if (mp->kind == LUTGEN_PIECE_REG)
				ok = dp->kind == LUTGEN_PIECE_REG &&
				     dp->reg == mp->reg && at == v->at[j] &&
				     dp->size == mp->size;
			else
				ok = dp->kind == LUTGEN_PIECE_STACK &&
				     dp->stack_offset ==
					     mp->stack_offset +
						     (int64_t)(at - v->at[j]);
		}
		if (!ok)
			return false;
		at += dp->size;
	}
	return true;
}

/* Which convention the binary uses, measured on runtime functions every
 * Go binary has: 1 register ABI, 0 ABI0, or an error. */
static int binary_regabi(struct lutgen_dwarf *d, struct common_err *err)
{
	static const char *const probes[] = {
		"runtime.casgstatus", "runtime.newproc1", "runtime.gopark",
		"runtime.mallocgc",
	};
	size_t i, j, k;

	if (d->regabi >= 0)
		return d->regabi;
	if (!d->arch || d->arch->nint == 0)
		return d->regabi = 0;
	for (i = 0; i < sizeof(probes) / sizeof(*probes); i++) {
		struct lutgen_param *ps = NULL;
		size_t n = 0;
		int got = -1;

		if (lutgen_dwarf_func_params(d, probes[i], &ps, &n, NULL) != 0)
			continue;
		for (j = 0; j < n; j++)
			for (k = 0; k < ps[j].npieces; k++)
				if (got != 1)
					got = ps[j].pieces[k].kind ==
					      LUTGEN_PIECE_REG;
		lutgen_params_free(ps, n);
		if (got >= 0)
			return d->regabi = got;
	}
	return common_err_set(err, -EPROTO,
			     "%s: cannot tell whether it passes arguments in registers (no runtime function with located parameters)",
			     d->path);
}

/* 1 register ABI, 0 ABI0 for the function of fs. */
static int function_regabi(struct lutgen_dwarf *d, const struct formals *fs,
			   struct common_err *err)
{
	size_t i, j;

	for (i = 0; i < fs->n; i++)
		for (j = 0; j < fs->v[i].p.npieces; j++)
			if (fs->v[i].p.pieces[j].kind == LUTGEN_PIECE_REG)
				return 1;
	return binary_regabi(d, err);
}

static void placed_free(struct placed *v)
{
	free(v->p.pieces);
	free(v->at);
	memset(v, 0, sizeof(*v));
}

/* The number N of an unnamed result "~rN", or -1. */
static long unnamed_result(const char *name)
{
	char *end;
	long n;

	if (!name || strncmp(name, "~r", 2) != 0 || !isdigit((unsigned char)name[2]))
		return -1;
	n = strtol(name + 2, &end, 10);
	return *end ? -1 : n;
}

/* The order to place fs in: the arguments in DWARF order, then the
 * results.  Go 1.15 does not always list the results last (ppc64's
 * runtime.newproc1: fn, argp, ~r5, narg, ...); unnamed results are put
 * in the order of their number, named ones keep the DWARF's. */
static int place_order(const struct formals *fs, size_t **out)
{
	size_t *ord = calloc(fs->n ? fs->n : 1, sizeof(*ord));
	size_t i, j, n = 0, first_res;

	if (!ord)
		return -ENOMEM;
	for (i = 0; i < fs->n; i++)
		if (!fs->v[i].result)
			ord[n++] = i;
	first_res = n;
	for (i = 0; i < fs->n; i++)
		if (fs->v[i].result)
			ord[n++] = i;
	for (i = first_res; i < n; i++)
		if (unnamed_result(fs->v[ord[i]].p.name) < 0)
			break;
	if (i == n)   /* all unnamed: insertion sort by number */
		for (i = first_res + 1; i < n; i++)
			for (j = i; j > first_res &&
			     unnamed_result(fs->v[ord[j - 1]].p.name) >
				     unnamed_result(fs->v[ord[j]].p.name);
			     j--) {
				size_t t = ord[j];

				ord[j] = ord[j - 1];
				ord[j - 1] = t;
			}
	*out = ord;
	return 0;
}

/* Place every argument, check it against the DWARF, then place the
 * results into their formal's pieces. */
static int place_all(struct lutgen_dwarf *d, struct formals *fs, bool regs,
		     struct common_err *err)
{
	struct abi_state st = { d->arch, regs, 0, 0, d->arch->first_arg };
	int64_t ps = d->arch->ptr_size;
	bool results = false;
	size_t i, *ord;
	int rc = 0;

	if (place_order(fs, &ord) != 0)
		return common_err_set(err, -ENOMEM, "out of memory");
	for (i = 0; i < fs->n && rc == 0; i++) {
		struct formal *f = &fs->v[ord[i]];
		struct placed v = { 0 };

		if (f->result && !results) {
			/* results: registers from the first again, stack
			 * from a pointer-aligned offset after the args */
			results = true;
			st.ni = st.nf = 0;
			st.stack = (st.stack + ps - 1) & ~(ps - 1);
		}
		rc = place_value(d, f, &st, &v);
		if (rc == 0 && !f->result && !model_agrees(f, &v))
			rc = common_err_set(err, -EPROTO,
					   "%s in %s: argument '%s' is not where Go's %s calling convention puts it; results not answered",
					   fs->function, d->path, f->p.name,
					   regs ? "register" : "stack");
		else if (rc == -EOPNOTSUPP || rc == -EPROTO)
			rc = common_err_set(err, rc,
					   "%s in %s: cannot place '%s' (type not understood)",
					   fs->function, d->path, f->p.name);
		else if (rc < 0)
			rc = common_err_set(err, rc, "out of memory");
		if (rc == 0 && f->result) {
			free(f->p.pieces);
			f->p.pieces = v.p.pieces;
			f->p.npieces = v.p.npieces;
			v.p.pieces = NULL;
		}
		placed_free(&v);
	}
	free(ord);
	return rc;
}

static uint32_t word_at(const uint8_t *p, bool big)
{
	if (big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

/* Frame released by one return instruction at code[i] (arm: LDR PC, [SP],
 * #N; mips: JR RA whose delay slot is ADDIU/DADDIU SP, SP, N); -1 when
 * code[i] is no such return. */
static int64_t frame_released(const char *goarch, const uint8_t *code,
			      size_t size, size_t i)
{
	bool big = strcmp(goarch, "mips") == 0 || strcmp(goarch, "mips64") == 0;
	uint32_t w = word_at(code + i, big), slot;

	if (strcmp(goarch, "arm") == 0)
		return (w & 0xfffff000u) == 0xe49df000u ? (int64_t)(w & 0xfff)
							: -1;
	if (w != 0x03e00008u)   /* jr ra */
		return -1;
	if (i + 8 > size)
		return 0;
	slot = word_at(code + i + 4, big);
	if ((slot & 0xffff0000u) == 0x27bd0000u ||   /* addiu sp, sp, N */
	    (slot & 0xffff0000u) == 0x67bd0000u)     /* daddiu sp, sp, N */
		return (int16_t)(slot & 0xffff);
	return 0;
}

/*
 * On arm and mips the return instruction itself releases the frame (arm:
 * the frame is popped into PC; mips: in the delay slot), so SP at the
 * return instruction lies below SP at entry by the frame size, read here
 * from the function's return instructions (all must agree).  0 elsewhere,
 * where the epilogue restores SP before the return.
 */
static int ret_frame(struct lutgen_dwarf *d, const struct formals *fs,
		     int64_t *frame, struct common_err *err)
{
	const uint8_t *code;
	size_t size = (size_t)(fs->highpc - fs->lowpc), i;
	bool seen = false;

	*frame = 0;
	if (strcmp(d->goarch, "arm") != 0 && strncmp(d->goarch, "mips", 4) != 0)
		return 0;
	code = lutgen_dwarf_code(d, fs->lowpc, &size);
	if (!code)
		return common_err_set(err, -EPROTO,
				      "the code of '%s' is in no executable section of %s",
				      fs->function, d->path);
	for (i = 0; i + 4 <= size; i += 4) {
		int64_t n = frame_released(d->goarch, code, size, i);

		if (n < 0)
			continue;
		if (seen && n != *frame)
			return common_err_set(err, -EPROTO,
					      "%s in %s: its return instructions release frames of %lld and %lld bytes",
					      fs->function, d->path,
					      (long long)*frame, (long long)n);
		*frame = n;
		seen = true;
	}
	return 0;
}

/* Stack slots of results relative to SP at the return instructions. */
static int results_at_ret(struct lutgen_dwarf *d, struct formals *fs,
			  struct common_err *err)
{
	int64_t frame = 0;
	size_t i, j;
	int rc;

	for (i = 0; i < fs->n; i++)
		for (j = 0; fs->v[i].result && j < fs->v[i].p.npieces; j++)
			if (fs->v[i].p.pieces[j].kind == LUTGEN_PIECE_STACK)
				goto stack;
	return 0;
stack:
	rc = ret_frame(d, fs, &frame, err);
	if (rc || frame == 0)
		return rc;
	for (i = 0; i < fs->n; i++)
		for (j = 0; fs->v[i].result && j < fs->v[i].p.npieces; j++)
			if (fs->v[i].p.pieces[j].kind == LUTGEN_PIECE_STACK)
				fs->v[i].p.pieces[j].stack_offset += frame;
	return 0;
}

int lutgen_dwarf_func_results(struct lutgen_dwarf *d, const char *function,
			      struct lutgen_param **params, size_t *nparams,
			      struct common_err *err)
{
	struct formals fs;
	int rc, regs;

	if (!d || !function || !params || !nparams)
		return common_err_set(err, -EINVAL,
				     "lutgen_dwarf_func_results: NULL argument");
	*params = NULL;
	*nparams = 0;
	if (!d->arch)
		return common_err_set(err, -EOPNOTSUPP,
				     "%s: results need a Linux GOARCH", d->path);
	rc = read_formals(d, function, &fs, err);
	if (rc == 0)
		rc = check_stack_layout(d, &fs, err);
	if (rc == 0) {
		regs = function_regabi(d, &fs, err);
		rc = regs < 0 ? regs : 0;
		if (rc == 0 && regs && d->arch->nint == 0)
			rc = common_err_set(err, -EOPNOTSUPP,
					   "%s in %s: arguments in registers on %s, whose register ABI lutgen does not know",
					   function, d->path, d->goarch);
		if (rc == 0)
			rc = place_all(d, &fs, regs == 1, err);
		if (rc == 0)
			rc = results_at_ret(d, &fs, err);
	}
	if (rc == 0 && take_params(&fs, true, params, nparams) < 0)
		rc = common_err_set(err, -ENOMEM, "out of memory");
	formals_free(&fs);
	return rc;
}
